/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  serverExternalPackages: ['pg', 'pg-copy-streams'],
  typedRoutes: false,
};
export default nextConfig;
