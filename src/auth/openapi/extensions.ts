/**
 * OpenAPI markers that Gatehouse puts on its operations while the document is built, and that
 * `applyGatehouseSwagger` reads and then removes: none of them is left in a host's document.
 */
/** On every operation of Gatehouse's own controllers. */
export const GATEHOUSE_EXTENSION = 'x-gatehouse';
/** On the OAuth2 token endpoint: Authorize's password flow posts there, wherever it is mounted. */
export const TOKEN_ENDPOINT_EXTENSION = 'x-gatehouse-token-endpoint';
