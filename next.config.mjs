/** @type {import('next').NextConfig} */
const nextConfig = {
  serverExternalPackages: ['@electric-sql/pglite', 'pg', 'pg-copy-streams'],
  typedRoutes: false,
};
export default nextConfig;
