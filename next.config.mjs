/** @type {import('next').NextConfig} */
const nextConfig = {
  serverExternalPackages: ['pg', 'pg-copy-streams'],
  typedRoutes: false,
};
export default nextConfig;
