//! The reference platform's API described as OpenAPI 3.1: what it serves
//! at `/openapi.json` and what `write_target` leaves as `openapi.json`, so
//! that any OpenAPI tool (a fuzzer, a client generator) can be pointed at
//! it. The document describes the conformant platform; faults break it.

use serde_json::{Value, json};

use super::server::{MAX_PAGE, RATE_LIMIT};

/// The paths the document describes, as the platform routes them.
pub const PATHS: &[&str] = &[
    "/ngsi-ld/v1/entities",
    "/ngsi-ld/v1/entities/{id}",
    "/admin/tenants",
    "/.well-known/security.txt",
    "/openapi.json",
];

/// The OpenAPI 3.1 document of the API at `base_url`.
pub fn document(base_url: &str, types: &[String]) -> Value {
    let error = json!({ "$ref": "#/components/responses/Error" });
    let bearer = json!([{ "bearer": [] }]);
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "cityconform reference city platform",
            "version": env!("CARGO_PKG_VERSION"),
            "description": format!(
                "Two tenants' records of the shared city data models, each tenant seeing only its own. \
                 At most {RATE_LIMIT} requests per principal in 10 seconds; pages of at most {MAX_PAGE} records."
            )
        },
        "servers": [{ "url": base_url }],
        "components": {
            "securitySchemes": {
                "bearer": { "type": "http", "scheme": "bearer" }
            },
            "schemas": {
                "Entity": {
                    "type": "object",
                    "required": ["id", "type"],
                    "properties": {
                        "id": { "type": "string", "minLength": 1 },
                        "type": { "type": "string", "enum": types }
                    }
                },
                "Error": {
                    "type": "object",
                    "required": ["error", "message"],
                    "properties": {
                        "error": { "type": "string" },
                        "message": { "type": "string" }
                    }
                }
            },
            "responses": {
                "Error": {
                    "description": "The request was refused; the body says why.",
                    "content": {
                        "application/json": { "schema": { "$ref": "#/components/schemas/Error" } }
                    }
                }
            }
        },
        "paths": {
            "/ngsi-ld/v1/entities": {
                "get": {
                    "operationId": "listEntities",
                    "summary": "The caller's records of one type, one page.",
                    "security": bearer,
                    "parameters": [
                        {
                            "name": "type", "in": "query", "required": true,
                            "schema": { "type": "string", "enum": types }
                        },
                        {
                            "name": "limit", "in": "query", "required": false,
                            "schema": { "type": "integer", "minimum": 1, "maximum": MAX_PAGE }
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "A page of the caller's records.",
                            "content": {
                                "application/json": {
                                    "schema": { "type": "array", "items": { "type": "object" } }
                                }
                            }
                        },
                        "400": error, "401": error, "429": error
                    }
                },
                "post": {
                    "operationId": "createEntity",
                    "summary": "Validates an entity against the shared schemas; keeps nothing.",
                    "security": bearer,
                    "requestBody": {
                        "required": true,
                        "content": {
                            "application/json": { "schema": { "$ref": "#/components/schemas/Entity" } }
                        }
                    },
                    "responses": {
                        "202": {
                            "description": "Accepted.",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": { "accepted": { "type": "boolean" } }
                                    }
                                }
                            }
                        },
                        "400": error, "401": error, "413": error, "415": error,
                        "422": error, "429": error
                    }
                }
            },
            "/ngsi-ld/v1/entities/{id}": {
                "get": {
                    "operationId": "readEntity",
                    "summary": "One record, to its owner only; another tenant's is not found.",
                    "security": bearer,
                    "parameters": [
                        { "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }
                    ],
                    "responses": {
                        "200": {
                            "description": "The record.",
                            "content": { "application/json": { "schema": { "type": "object" } } }
                        },
                        "401": error, "404": error, "429": error
                    }
                }
            },
            "/admin/tenants": {
                "get": {
                    "operationId": "listTenants",
                    "summary": "The tenants; the operator only.",
                    "security": bearer,
                    "responses": {
                        "200": {
                            "description": "The tenants.",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            "tenants": { "type": "array", "items": { "type": "string" } }
                                        }
                                    }
                                }
                            }
                        },
                        "401": error, "403": error, "429": error
                    }
                }
            },
            "/.well-known/security.txt": {
                "get": {
                    "operationId": "securityTxt",
                    "summary": "The disclosure contact (RFC 9116).",
                    "security": [],
                    "responses": {
                        "200": {
                            "description": "security.txt",
                            "content": { "text/plain": { "schema": { "type": "string" } } }
                        }
                    }
                }
            },
            "/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This document.",
                    "security": [],
                    "responses": {
                        "200": {
                            "description": "The OpenAPI document.",
                            "content": { "application/json": { "schema": { "type": "object" } } }
                        }
                    }
                }
            }
        }
    })
}
