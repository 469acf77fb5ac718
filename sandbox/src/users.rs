//! The demo users and the organization they belong to, shaped like Genesys Cloud data.

use serde_json::{json, Value};

pub struct DemoUser {
    pub id: &'static str,
    pub username: &'static str,
    pub password: &'static str,
    pub name: &'static str,
    pub title: &'static str,
    pub department: &'static str,
}

pub const DEMO_USERS: &[DemoUser] = &[
    DemoUser {
        id: "5f3c9a1e-7b2d-4c8e-9a41-0d6e2b7f1ada",
        username: "ada@example.com",
        password: "demo",
        name: "Ada Lovelace",
        title: "Senior Agent",
        department: "Customer Care",
    },
    DemoUser {
        id: "8e4b2d7a-1c6f-4e3b-b5a9-3f2c7d9e0ace",
        username: "grace@example.com",
        password: "demo",
        name: "Grace Hopper",
        title: "Team Lead",
        department: "Technical Support",
    },
];

pub const ORGANIZATION_ID: &str = "2b7e9c4d-6a1f-4d3e-8c5b-9e0f1a2b3c4d";
pub const ORGANIZATION_NAME: &str = "Sandbox Contact Center";
/// The cxone flavor's demo tenant (business unit), named `ORGANIZATION_NAME`, that
/// every demo user belongs to.
pub const TENANT_ID: &str = "11EC-SANDBOX-TENANT";
pub const DIVISION_ID: &str = "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f";
pub const DIVISION_NAME: &str = "Home";
/// The id Genesys Cloud gives its system "Available" presence definition.
pub const AVAILABLE_PRESENCE_ID: &str = "6a3af858-942f-489d-9700-5f9bcdcdae9b";

/// Usernames are email addresses: compare them case-insensitively, passwords exactly.
pub fn authenticate(username: &str, password: &str) -> Option<&'static DemoUser> {
    DEMO_USERS
        .iter()
        .find(|u| u.username.eq_ignore_ascii_case(username.trim()) && u.password == password)
}

pub fn by_id(id: &str) -> Option<&'static DemoUser> {
    DEMO_USERS.iter().find(|u| u.id == id)
}

pub fn organization_json() -> Value {
    json!({
        "id": ORGANIZATION_ID,
        "name": ORGANIZATION_NAME,
        "selfUri": format!("/api/v2/organizations/{ORGANIZATION_ID}"),
    })
}

/// GET /api/v2/users/me without expansions.
pub fn user_json(user: &DemoUser) -> Value {
    json!({
        "id": user.id,
        "name": user.name,
        "division": {
            "id": DIVISION_ID,
            "name": DIVISION_NAME,
            "selfUri": format!("/api/v2/authorization/divisions/{DIVISION_ID}"),
        },
        "chat": {
            "jabberId": format!(
                "{}@sandbox-contact-center.orgspan.com",
                user.id.replace('-', "")
            ),
        },
        "email": user.username,
        "primaryContactInfo": [
            { "address": user.username, "mediaType": "EMAIL", "type": "PRIMARY" }
        ],
        "addresses": [],
        "state": "active",
        "title": user.title,
        "department": user.department,
        "username": user.username,
        "version": 1,
        "acdAutoAnswer": false,
        "selfUri": format!("/api/v2/users/{}", user.id),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authentication() {
        assert_eq!(
            authenticate("ada@example.com", "demo").unwrap().name,
            "Ada Lovelace"
        );
        assert_eq!(
            authenticate(" Grace@Example.com ", "demo").unwrap().name,
            "Grace Hopper"
        );
        assert!(authenticate("ada@example.com", "Demo").is_none());
        assert!(authenticate("nobody@example.com", "demo").is_none());
    }

    #[test]
    fn ids_are_unique_and_resolvable() {
        assert_ne!(DEMO_USERS[0].id, DEMO_USERS[1].id);
        for u in DEMO_USERS {
            assert_eq!(by_id(u.id).unwrap().username, u.username);
        }
    }
}
