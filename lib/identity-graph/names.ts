// Name and street vocabularies for synthetic identities (common US names; no real people).

export const FEMALE_NAMES = (
  'Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Lisa Nancy Betty Sandra Margaret ' +
  'Ashley Kimberly Emily Donna Michelle Carol Amanda Melissa Deborah Stephanie Dorothy Rebecca Sharon Laura ' +
  'Cynthia Amy Kathleen Angela Shirley Brenda Emma Anna Pamela Nicole Samantha Katherine Christine Helen Debra ' +
  'Rachel Carolyn Janet Maria Catherine Heather Diane Olivia Julie Joyce Victoria Ruth Virginia Lauren Kelly ' +
  'Christina Joan Evelyn Judith Andrea Hannah Megan Cheryl Jacqueline Martha Madison Teresa Gloria Sara Janice ' +
  'Ann Kathryn Abigail Sophia Frances Jean Alice Judy Isabella Julia Grace Amber Denise Danielle Marilyn Beverly ' +
  'Charlotte Natalie Theresa Diana Brittany Doris Kayla Alexis Lori Marie Ava Mia Harper Chloe Camila Lucia ' +
  'Aaliyah Priya Mei Yesenia Guadalupe Rosa Keisha Ebony Fatima Aisha Leah Zoe Nora Hazel Aurora Valentina'
).split(' ');

export const MALE_NAMES = (
  'James Robert John Michael David William Richard Joseph Thomas Christopher Charles Daniel Matthew Anthony Mark ' +
  'Donald Steven Andrew Paul Joshua Kenneth Kevin Brian George Timothy Ronald Jason Edward Jeffrey Ryan Jacob ' +
  'Gary Nicholas Eric Jonathan Stephen Larry Justin Scott Brandon Benjamin Samuel Gregory Alexander Patrick Frank ' +
  'Raymond Jack Dennis Jerry Tyler Aaron Jose Adam Nathan Henry Zachary Douglas Peter Kyle Noah Ethan Jeremy ' +
  'Walter Christian Keith Roger Terry Austin Sean Gerald Carl Harold Dylan Arthur Lawrence Jordan Jesse Bryan ' +
  'Billy Bruce Gabriel Joe Logan Alan Juan Albert Willie Elijah Wayne Randy Vincent Mason Roy Ralph Bobby Russell ' +
  'Bradley Philip Eugene Liam Lucas Mateo Carlos Luis Miguel Diego Wei Hiroshi Raj Arjun Omar Ahmed Malik ' +
  'Darnell Jamal Andre Marcus Trevor Caleb Owen Levi Hunter Wyatt Miles Leo Theo'
).split(' ');

export const LAST_NAMES = (
  'Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson ' +
  'Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis ' +
  'Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera ' +
  'Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart ' +
  'Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim ' +
  'Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo ' +
  'Sanders Patel Myers Long Ross Foster Jimenez Powell Jenkins Perry Russell Sullivan Bell Coleman Butler ' +
  'Henderson Barnes Gonzales Fisher Vasquez Simmons Romero Jordan Patterson Alexander Hamilton Graham Reynolds ' +
  'Griffin Wallace Moreno West Cole Hayes Bryant Herrera Gibson Ellis Tran Medina Aguilar Stevens Murray Ford ' +
  'Castro Marshall Owens Harrison Fernandez McDonald Woods Washington Kennedy Wells Vargas Henry Chen Freeman ' +
  'Webb Tucker Guzman Burns Crawford Olson Simpson Porter Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon ' +
  'Munoz Hunt Hicks Holmes Palmer Wagner Black Robertson Boyd Rose Stone Salazar Fox Warren Mills Meyer Rice ' +
  'Schmidt Garza Daniels Ferguson Nichols Stephens Soto Weaver Ryan Gardner Payne Grant Dunn Kelley Spencer ' +
  'Hawkins Arnold Pierce Hansen Peters Santos Hart Bradley Knight Elliott Cunningham Duncan Armstrong Hudson ' +
  'Carroll Lane Riley Andrews Ray Berry Perkins Hoffman Johnston Matthews Pena Richards Willis Carpenter Lawrence ' +
  'Sandoval Wang Zhang Singh Shah Yamamoto Larsen Novak Kowalski Schultz Becker Lindqvist OBrien Walsh Murillo'
).split(' ');

export const STREET_NAMES = (
  'Maple Oak Pine Cedar Elm Walnut Willow Birch Chestnut Spruce Hickory Magnolia Sycamore Aspen Juniper ' +
  'Main Park Lake Hill Washington Lincoln Jefferson Madison Franklin Highland Meadow Sunset Ridge Valley River ' +
  'Church Mill Spring Forest Prospect Center Union Market Broad Water Bridge Garden Orchard Harbor Summit ' +
  'Fairview Greenwood Lakeview Riverside Woodland Country Club Hillcrest Rosewood Briarwood Cherry Dogwood ' +
  'Jackson Adams Monroe Grant Lee Kennedy Pleasant Liberty Heritage Colonial Meridian Canyon Mesa Prairie ' +
  'Sierra Vista Bayview Ocean Shore Harvest Foxglove Wildflower Creekside Stonebridge Brookside'
).split(' ');

/** Street suffixes as stored in the graph (abbreviated) and their long forms. */
export const STREET_SUFFIXES = ['St', 'Ave', 'Rd', 'Dr', 'Ln', 'Ct', 'Blvd', 'Way', 'Pl', 'Cir'];
export const STREET_SUFFIX_LONG = ['Street', 'Avenue', 'Road', 'Drive', 'Lane', 'Court', 'Boulevard', 'Way', 'Place', 'Circle'];

/** Fictional email domains (never real mailboxes). */
export const EMAIL_DOMAINS = [
  'example-mail.com', 'inbox.example.net', 'mailbox.example.org', 'post.example.com', 'webmail.example',
];
