use super::*;

#[test]
fn missing_permissions_are_named_once() {
    let topic = |perms: &[&str]| RejectedTopic {
        topic: "t".into(),
        missing_permissions: perms.iter().map(|p| (*p).to_owned()).collect(),
        reason: None,
    };
    assert_eq!(
        missing_permissions(&[topic(&["a:b:c"]), topic(&["a:b:c"])]),
        "a:b:c"
    );
    assert_eq!(
        missing_permissions(&[topic(&[])]),
        "permission to view your own presence and routing status"
    );
}

#[test]
fn tones() {
    assert_eq!(tone(&SystemPresence::OnQueue), "on-queue");
    assert_eq!(tone(&SystemPresence::Other("x".into())), "neutral");
}
