use super::*;
use crate::reply::json_reply;

fn locales(list: &[&str]) -> Vec<String> {
    list.iter().map(|l| (*l).to_owned()).collect()
}

#[test]
fn system_presence_is_read_in_any_spelling() {
    for spelling in ["OnQueue", "On Queue", "ON_QUEUE", "onqueue", " on queue "] {
        assert_eq!(
            SystemPresence::parse(spelling),
            SystemPresence::OnQueue,
            "{spelling}"
        );
    }
    assert_eq!(
        SystemPresence::parse("AVAILABLE"),
        SystemPresence::Available
    );
    assert_eq!(SystemPresence::parse("break"), SystemPresence::Break);
    assert_eq!(
        SystemPresence::parse(" Lunch "),
        SystemPresence::Other("Lunch".into())
    );
    assert_eq!(SystemPresence::OnQueue.label(), "On Queue");
}

#[test]
fn routing_status_values() {
    assert_eq!(RoutingStatus::parse("OFF_QUEUE"), RoutingStatus::OffQueue);
    assert_eq!(RoutingStatus::parse("idle"), RoutingStatus::Idle);
    assert_eq!(
        RoutingStatus::parse("NOT_RESPONDING").label(),
        "Not responding"
    );
    assert_eq!(
        RoutingStatus::parse("SOMETHING_NEW"),
        RoutingStatus::Other("SOMETHING_NEW".into())
    );
}

#[test]
fn urls_and_body() {
    assert_eq!(
        definitions_url("https://api.mypurecloud.ie/"),
        "https://api.mypurecloud.ie/api/v2/presence/definitions?deactivated=false"
    );
    assert_eq!(
        purecloud_presence_url("http://127.0.0.1:9190", "u/1"),
        "http://127.0.0.1:9190/api/v2/users/u%2F1/presences/purecloud"
    );
    assert_eq!(
        routing_status_url("https://api.x", "u1"),
        "https://api.x/api/v2/users/u1/routingstatus"
    );
    let body: serde_json::Value = serde_json::from_str(&set_presence_body("p\"1")).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"presenceDefinition":{"id":"p\"1"}})
    );
}

const DEFINITIONS: &str = r#"{"total":4,"entities":[
        {"id":"6a3af858-942f-489d-9700-5f9bcdcdae9b","name":"Available","type":"System",
         "languageLabels":{"en_US":"Available","fr":"Disponible","de_DE":"Verfügbar"},
         "systemPresence":"Available","deactivated":false},
        {"id":"e08eaf1b-ee47-4fa9-a231-1200e284798f","type":"System",
         "languageLabels":{"en_US":"On Queue"},"systemPresence":"OnQueue","deactivated":false},
        {"id":"old","languageLabels":{"en_US":"Retired"},"systemPresence":"Away",
         "deactivated":true},
        {"id":"lunch","name":"Lunch","type":"User","languageLabels":{},"systemPresence":"Meal"}],
        "selfUri":"/api/v2/presence/definitions"}"#;

#[test]
fn definitions_become_options_without_deactivated_ones() {
    let options = parse_definitions(&json_reply(200, DEFINITIONS), &locales(&["en-US"])).unwrap();
    let ids: Vec<&str> = options.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "6a3af858-942f-489d-9700-5f9bcdcdae9b",
            "e08eaf1b-ee47-4fa9-a231-1200e284798f",
            "lunch"
        ]
    );
    assert_eq!(options[1].system, SystemPresence::OnQueue);
    assert_eq!(options[1].label, "On Queue");
    assert_eq!(options[2].label, "Lunch", "no labels: the name");
}

#[test]
fn legacy_listing_spelling_is_understood() {
    let legacy = r#"{"entities":[{"id":"e08eaf1b-ee47-4fa9-a231-1200e284798f",
            "languageLabels":{"en_US":"On Queue"},"systemPresence":"On Queue","deactivated":false,
            "primary":true}],"pageSize":25,"pageNumber":1}"#;
    let options = parse_definitions(&json_reply(200, legacy), &[]).unwrap();
    assert_eq!(options[0].system, SystemPresence::OnQueue);
}

#[test]
fn labels_follow_the_users_locales_with_fallbacks() {
    let label = |wanted: &[&str]| {
        parse_definitions(&json_reply(200, DEFINITIONS), &locales(wanted)).unwrap()[0]
            .label
            .clone()
    };
    assert_eq!(label(&["de-DE"]), "Verfügbar");
    assert_eq!(
        label(&["de-AT"]),
        "Verfügbar",
        "same language, other region"
    );
    assert_eq!(label(&["fr-CA", "en"]), "Disponible");
    assert_eq!(label(&["ja", "fr"]), "Disponible", "second choice");
    assert_eq!(label(&["ja"]), "Available", "then US English");
    assert_eq!(label(&[]), "Available");
    let only_system =
        r#"{"entities":[{"id":"x","languageLabels":{"en_US":"  "},"systemPresence":"OnQueue"}]}"#;
    assert_eq!(
        parse_definitions(&json_reply(200, only_system), &[]).unwrap()[0].label,
        "On Queue",
        "no usable label and no name: the system presence"
    );
}

#[test]
fn definition_failures_are_typed() {
    assert!(matches!(
        parse_definitions(
            &json_reply(
                403,
                r#"{"message":"Missing presence:presenceDefinition:view"}"#
            ),
            &[]
        ),
        Err(AuthError::Forbidden { .. })
    ));
    assert!(matches!(
        parse_definitions(&json_reply(200, r#"{"entities":[{"name":"no id"}]}"#), &[]),
        Err(AuthError::MalformedResponse { .. })
    ));
}

#[test]
fn user_presence_is_read_from_the_patch_answer() {
    let answer = r#"{"id":"x","name":"PURECLOUD","source":"PURECLOUD","primary":true,
            "presenceDefinition":{"id":"e08eaf1b-ee47-4fa9-a231-1200e284798f",
             "systemPresence":"On Queue","selfUri":"/x"},
            "message":"","modifiedDate":"2026-12-01T18:00:00.500Z"}"#;
    assert_eq!(
        parse_user_presence(&json_reply(200, answer)).unwrap(),
        Some(PresenceReport {
            definition_id: "e08eaf1b-ee47-4fa9-a231-1200e284798f".into(),
            system: SystemPresence::OnQueue,
            modified_ms: parse_iso_ms("2026-12-01T18:00:00.500Z"),
        })
    );
    let secondary = answer.replace("\"primary\":true", "\"primary\":false");
    assert_eq!(
        parse_user_presence(&json_reply(200, &secondary)).unwrap(),
        None
    );
    assert!(matches!(
        parse_user_presence(&json_reply(200, r#"{"source":"PURECLOUD"}"#)),
        Err(AuthError::MalformedResponse { .. })
    ));
    assert!(matches!(
        parse_user_presence(&json_reply(403, r#"{"message":"Missing routing:agent:onqueue"}"#)),
        Err(AuthError::Forbidden { message: Some(m) }) if m.contains("onqueue")
    ));
}

#[test]
fn routing_status_is_read() {
    let report = parse_routing_status(&json_reply(
        200,
        r#"{"userId":"u1","status":"IDLE","startTime":"2026-12-01T18:00:00Z"}"#,
    ))
    .unwrap();
    assert_eq!(report.status, RoutingStatus::Idle);
    assert_eq!(report.since_ms, parse_iso_ms("2026-12-01T18:00:00Z"));
    assert!(parse_routing_status(&json_reply(200, r#"{"userId":"u1"}"#)).is_err());
}
