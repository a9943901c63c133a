export const API_KEY = "studio-test-api-key";
export const API_SECRET = "studio-test-api-secret-0123456789abcdef";
export const SHOP = "studio-test.myshopify.com";
export const OTHER_SHOP = "other-test.myshopify.com";
export const SCOPES = "read_products,write_products,write_files";
