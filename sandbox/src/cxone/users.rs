//! The demo users (the same people as the Genesys flavor, see `crate::users`)
//! as CXone shows them: agent ids, teams, roles.

use serde_json::{json, Value};

use crate::users::DemoUser;

/// What CXone knows about a demo user beyond `DemoUser`.
pub struct CxoneProfile {
    /// `DemoUser::id`, which CXone calls the user id.
    pub user_id: &'static str,
    pub agent_id: u64,
    pub team_id: &'static str,
    pub role_uuid: &'static str,
}

pub const PROFILES: &[CxoneProfile] = &[
    CxoneProfile {
        user_id: "5f3c9a1e-7b2d-4c8e-9a41-0d6e2b7f1ada",
        agent_id: 3181501,
        team_id: "11ec7d2a-4b1e-4c3f-9a8d-2e6f1c0b7a11",
        role_uuid: "11ec7d2a-9f3b-4e2d-8c1a-5b7e3d9f0a21",
    },
    CxoneProfile {
        user_id: "8e4b2d7a-1c6f-4e3b-b5a9-3f2c7d9e0ace",
        agent_id: 3190602,
        team_id: "11ec7d2a-6c2d-4a5e-b3f1-8d9a0e2c4b12",
        role_uuid: "11ec7d2a-1a4c-4f6b-9d2e-7c8b0a1f3e22",
    },
];

pub fn profile(user: &DemoUser) -> &'static CxoneProfile {
    PROFILES
        .iter()
        .find(|p| p.user_id == user.id)
        .expect("every demo user has a CXone profile")
}

/// "Ada Lovelace" -> ("Ada", "Lovelace").
pub fn names(user: &DemoUser) -> (&'static str, &'static str) {
    user.name.split_once(' ').unwrap_or((user.name, ""))
}

/// GET /user-management/v1/users/{userId}: exactly the fields of NICE's SDK model
/// (`@nice-devone/core-sdk` `CXoneUserDetails`, read from `response.data.user`), no team or
/// role names (the record has only their ids).
pub fn user_json(user: &DemoUser) -> Value {
    let p = profile(user);
    let (first, last) = names(user);
    json!({
        "user": {
            "id": user.id,
            "userName": user.username,
            "firstName": first,
            "lastName": last,
            "displayName": user.name,
            "fullName": user.name,
            "emailAddress": user.username,
            "status": "Active",
            "teamId": p.team_id,
            "roleUUID": p.role_uuid,
            "timeZone": "Europe/London",
            "type": "Agent",
        }
    })
}

/// GET /auth/userinfo.
pub fn userinfo_json(user: &DemoUser) -> Value {
    let (first, last) = names(user);
    json!({
        "sub": format!("user:{}", user.id),
        "name": user.name,
        "given_name": first,
        "family_name": last,
        "email": user.username,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::users::DEMO_USERS;

    #[test]
    fn every_demo_user_has_a_distinct_profile() {
        for user in DEMO_USERS {
            assert_eq!(profile(user).user_id, user.id);
        }
        assert_ne!(PROFILES[0].agent_id, PROFILES[1].agent_id);
        assert_eq!(names(&DEMO_USERS[1]), ("Grace", "Hopper"));
        let json = user_json(&DEMO_USERS[0]);
        assert_eq!(json["user"].as_object().unwrap().len(), 12);
        assert_eq!(json["user"]["teamId"], PROFILES[0].team_id);
    }
}
