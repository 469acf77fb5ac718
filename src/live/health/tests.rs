use super::*;
use crate::live::notifications::Subscription;

const START: u64 = 1_000_000;

fn channel(id: &str, expires_ms: Option<u64>) -> Channel {
    Channel {
        id: id.into(),
        connect_uri: format!("wss://streaming.example/channels/{id}"),
        expires_ms,
    }
}

fn permitted() -> Subscription {
    Subscription {
        permitted: vec!["v2.users.u1?presence&routingStatus".into()],
        rejected: vec![],
    }
}

/// A machine with socket 1 open on channel `c1` (expiring in a day).
fn live() -> Health {
    let mut health = Health::new(HealthConfig::default());
    assert_eq!(health.start(START), [Command::CreateChannel]);
    assert_eq!(health.status(START), LinkStatus::Connecting);
    let c1 = channel("c1", Some(START + 86_400_000));
    assert_eq!(
        health.handle(Input::ChannelCreated(c1.clone()), START, 0.0),
        [Command::Subscribe(c1)]
    );
    assert_eq!(
        health.handle(Input::Subscribed(permitted()), START, 0.0),
        [Command::Connect {
            socket: 1,
            uri: "wss://streaming.example/channels/c1".into()
        }]
    );
    assert_eq!(health.status(START), LinkStatus::Connecting);
    assert_eq!(
        health.handle(Input::Opened(1), START, 0.0),
        [Command::Resync]
    );
    assert_eq!(health.status(START), LinkStatus::Live);
    health
}

fn heartbeat(health: &mut Health, socket: SocketId, at: u64) -> Vec<Command> {
    health.handle(Input::Message(socket, Notice::Heartbeat), at, 0.0)
}

#[test]
fn backoff_doubles_is_capped_and_jittered() {
    assert_eq!(reconnect_delay_ms(1, 0.0), 1_000);
    assert_eq!(reconnect_delay_ms(2, 0.0), 2_000);
    assert_eq!(reconnect_delay_ms(5, 0.0), 16_000);
    assert_eq!(reconnect_delay_ms(6, 0.0), MAX_RECONNECT_DELAY_MS);
    assert_eq!(reconnect_delay_ms(u32::MAX, 0.0), MAX_RECONNECT_DELAY_MS);
    assert_eq!(reconnect_delay_ms(0, 0.0), 1_000);
    assert_eq!(reconnect_delay_ms(1, 1.0), 1_200);
    assert_eq!(reconnect_delay_ms(1, 9.0), 1_200, "jitter is clamped");
    assert_eq!(reconnect_delay_ms(1, f64::NAN), 1_000);
}

#[test]
fn pings_after_silence_and_gives_up_without_an_answer() {
    let mut health = live();
    let ping_at = START + HealthConfig::default().ping_after_silence_ms;
    assert_eq!(health.tick(ping_at - 1, 0.0), []);
    assert_eq!(health.tick(ping_at, 0.0), [Command::Ping(1)]);
    assert_eq!(health.tick(ping_at + 1, 0.0), [], "one ping at a time");
    let give_up = ping_at + HealthConfig::default().pong_timeout_ms;
    assert_eq!(health.tick(give_up - 1, 0.0), []);
    assert_eq!(health.tick(give_up, 0.0), [Command::Close(1)]);
    assert_eq!(
        health.status(give_up),
        LinkStatus::Reconnecting {
            silent_ms: give_up - START
        }
    );
    // The close the glue then reports changes nothing more.
    assert_eq!(health.handle(Input::Closed(1), give_up, 0.0), []);
    assert_eq!(
        health.tick(give_up + 1_000, 0.0),
        [Command::Connect {
            socket: 2,
            uri: "wss://streaming.example/channels/c1".into()
        }],
        "reconnects to the same channel after the first backoff step"
    );
}

#[test]
fn a_pong_or_any_message_clears_the_ping() {
    let mut health = live();
    let ping_at = START + 40_000;
    assert_eq!(health.tick(ping_at, 0.0), [Command::Ping(1)]);
    assert_eq!(
        health.handle(Input::Message(1, Notice::Pong), ping_at + 100, 0.0),
        []
    );
    assert_eq!(health.tick(ping_at + 10_000, 0.0), []);
    assert_eq!(health.status(ping_at + 10_000), LinkStatus::Live);
    // Heartbeats keep it from pinging at all.
    for n in 1..10 {
        assert_eq!(heartbeat(&mut health, 1, ping_at + n * 30_000), []);
        assert_eq!(health.tick(ping_at + n * 30_000 + 29_000, 0.0), []);
    }
}

#[test]
fn fast_heartbeats_shrink_the_waits() {
    let mut health = live();
    // Heartbeats every 500 ms (as the sandbox sends in tests).
    heartbeat(&mut health, 1, START + 500);
    heartbeat(&mut health, 1, START + 1_000);
    assert_eq!(health.tick(START + 1_000 + MIN_PING_AFTER_MS - 1, 0.0), []);
    let ping_at = START + 1_000 + MIN_PING_AFTER_MS;
    assert_eq!(health.tick(ping_at, 0.0), [Command::Ping(1)]);
    assert_eq!(health.tick(ping_at + MIN_PONG_TIMEOUT_MS - 1, 0.0), []);
    assert_eq!(
        health.tick(ping_at + MIN_PONG_TIMEOUT_MS, 0.0),
        [Command::Close(1)]
    );
}

#[test]
fn slow_heartbeats_never_stretch_the_waits_past_the_configured_ones() {
    let mut health = live();
    heartbeat(&mut health, 1, START + 60_000);
    heartbeat(&mut health, 1, START + 120_000);
    let ping_at = START + 120_000 + HealthConfig::default().ping_after_silence_ms;
    assert_eq!(health.tick(ping_at - 1, 0.0), []);
    assert_eq!(health.tick(ping_at, 0.0), [Command::Ping(1)]);
    let give_up = ping_at + HealthConfig::default().pong_timeout_ms;
    assert_eq!(health.tick(give_up - 1, 0.0), []);
    assert_eq!(health.tick(give_up, 0.0), [Command::Close(1)]);
}

#[test]
fn unreadable_frames_do_not_count_as_alive() {
    let mut health = live();
    health.handle(Input::Message(1, Notice::Unreadable), START + 39_000, 0.0);
    assert_eq!(health.tick(START + 40_000, 0.0), [Command::Ping(1)]);
}

#[test]
fn a_dropped_socket_reconnects_with_growing_backoff_and_resyncs() {
    let mut health = live();
    heartbeat(&mut health, 1, START + 1);
    assert_eq!(health.handle(Input::Closed(1), START + 10, 0.0), []);
    assert_eq!(
        health.status(START + 5_010),
        LinkStatus::Reconnecting { silent_ms: 5_009 }
    );
    assert_eq!(health.tick(START + 1_009, 0.0), []);
    let connect = health.tick(START + 1_010, 0.0);
    assert!(matches!(connect[..], [Command::Connect { socket: 2, .. }]));
    // It opens, then drops before a single message: the next wait is longer.
    assert_eq!(
        health.handle(Input::Opened(2), START + 1_100, 0.0),
        [Command::Resync],
        "the state is read again after reconnecting"
    );
    health.handle(Input::Closed(2), START + 1_200, 0.0);
    assert_eq!(health.tick(START + 1_200 + 1_999, 0.0), []);
    assert!(matches!(
        health.tick(START + 1_200 + 2_000, 0.0)[..],
        [Command::Connect { socket: 3, .. }]
    ));
    // One message and gone (a server that accepts, says one thing and closes) proves
    // nothing: the wait keeps growing.
    health.handle(Input::Opened(3), START + 3_300, 0.0);
    heartbeat(&mut health, 3, START + 3_400);
    health.handle(Input::Closed(3), START + 3_500, 0.0);
    assert_eq!(health.tick(START + 3_500 + 3_999, 0.0), []);
    assert!(matches!(
        health.tick(START + 3_500 + 4_000, 0.0)[..],
        [Command::Connect { socket: 4, .. }]
    ));
    // A socket that stays open and keeps talking proves itself: the backoff starts over.
    let opened = START + 7_600;
    health.handle(Input::Opened(4), opened, 0.0);
    heartbeat(&mut health, 4, opened + STABLE_LINK_MS);
    health.handle(Input::Closed(4), opened + STABLE_LINK_MS + 100, 0.0);
    assert!(matches!(
        health.tick(opened + STABLE_LINK_MS + 100 + 1_000, 0.0)[..],
        [Command::Connect { socket: 5, .. }]
    ));
}

#[test]
fn sockets_that_never_open_mean_the_channel_is_gone() {
    let mut health = live();
    health.handle(Input::Closed(1), START, 0.0);
    assert!(
        matches!(
            health.tick(START + 1_000, 0.0)[..],
            [Command::Connect { socket: 2, .. }]
        ),
        "a socket that was open: the same channel first"
    );
    health.handle(Input::Closed(2), START + 1_100, 0.0);
    assert_eq!(health.tick(START + 1_100 + 1_999, 0.0), []);
    assert_eq!(
        health.tick(START + 1_100 + 2_000, 0.0),
        [Command::CreateChannel],
        "refused without opening: a new channel"
    );
    let c2 = channel("c2", None);
    assert_eq!(
        health.handle(Input::ChannelCreated(c2.clone()), START + 3_200, 0.0),
        [Command::Subscribe(c2)],
        "the new channel is subscribed again"
    );
    assert_eq!(
        health.handle(Input::Subscribed(permitted()), START + 3_300, 0.0),
        [Command::Connect {
            socket: 3,
            uri: "wss://streaming.example/channels/c2".into()
        }]
    );
}

#[test]
fn socket_closing_connects_a_new_socket_before_the_old_one_closes() {
    let mut health = live();
    assert_eq!(
        health.handle(Input::Message(1, Notice::SocketClosing), START + 5, 0.0),
        [Command::Connect {
            socket: 2,
            uri: "wss://streaming.example/channels/c1".into()
        }]
    );
    assert_eq!(
        health.status(START + 6),
        LinkStatus::Live,
        "the old one still works"
    );
    assert!(health.owns(1) && health.owns(2));
    assert_eq!(
        health.handle(Input::Opened(2), START + 50, 0.0),
        [Command::Close(1), Command::Resync]
    );
    assert!(!health.owns(1));
    assert_eq!(
        health.handle(Input::Closed(1), START + 60, 0.0),
        [],
        "the old socket's close is expected"
    );
    assert_eq!(health.status(START + 60), LinkStatus::Live);
    assert_eq!(health.tick(START + 2_000, 0.0), [], "no reconnect planned");
}

#[test]
fn the_old_socket_closing_first_is_fine_too() {
    let mut health = live();
    health.handle(Input::Message(1, Notice::SocketClosing), START + 5, 0.0);
    // The server closes the old socket when the new one connects.
    assert_eq!(health.handle(Input::Closed(1), START + 20, 0.0), []);
    assert_eq!(
        health.handle(Input::Opened(2), START + 30, 0.0),
        [Command::Resync]
    );
    assert_eq!(health.status(START + 30), LinkStatus::Live);
}

#[test]
fn a_failed_replacement_keeps_the_old_socket() {
    let mut health = live();
    health.handle(Input::Message(1, Notice::SocketClosing), START + 5, 0.0);
    assert_eq!(health.handle(Input::Closed(2), START + 20, 0.0), []);
    assert!(health.owns(1), "events are still read from the old socket");
    assert_eq!(health.status(START + 20), LinkStatus::Live);
    assert_eq!(
        health.tick(START + 20 + 1_000, 0.0),
        [Command::CreateChannel]
    );
    health.handle(
        Input::ChannelCreated(channel("c2", None)),
        START + 1_100,
        0.0,
    );
    health.handle(Input::Subscribed(permitted()), START + 1_200, 0.0);
    assert_eq!(
        health.handle(Input::Opened(3), START + 1_300, 0.0),
        [Command::Close(1), Command::Resync],
        "the old socket is closed once the new channel's opens"
    );
}

#[test]
fn channel_gone_makes_a_new_channel_and_resubscribes() {
    let mut health = live();
    assert_eq!(
        health.handle(Input::Message(1, Notice::ChannelGone), START + 5, 0.0),
        [Command::Close(1)]
    );
    assert!(matches!(
        health.status(START + 5),
        LinkStatus::Reconnecting { .. }
    ));
    assert_eq!(health.tick(START + 1_005, 0.0), [Command::CreateChannel]);
    let c2 = channel("c2", None);
    assert_eq!(
        health.handle(Input::ChannelCreated(c2.clone()), START + 1_100, 0.0),
        [Command::Subscribe(c2)]
    );
}

#[test]
fn the_channel_is_replaced_before_it_expires() {
    let mut health = Health::new(HealthConfig::default());
    health.start(START);
    let expires = START + 86_400_000;
    health.handle(
        Input::ChannelCreated(channel("c1", Some(expires))),
        START,
        0.0,
    );
    health.handle(Input::Subscribed(permitted()), START, 0.0);
    health.handle(Input::Opened(1), START, 0.0);
    let margin = HealthConfig::default().channel_renewal_margin_ms;
    // Keep the socket chatty so that only the renewal acts.
    heartbeat(&mut health, 1, expires - margin - 1);
    assert_eq!(health.tick(expires - margin - 1, 0.0), []);
    assert_eq!(health.tick(expires - margin, 0.0), [Command::CreateChannel]);
    assert_eq!(health.tick(expires - margin + 1, 0.0), [], "once");
    let c2 = channel("c2", Some(expires + 86_400_000));
    health.handle(Input::ChannelCreated(c2), expires - margin + 2, 0.0);
    assert_eq!(
        health.handle(Input::Subscribed(permitted()), expires - margin + 3, 0.0),
        [Command::Connect {
            socket: 2,
            uri: "wss://streaming.example/channels/c2".into()
        }]
    );
    assert_eq!(health.status(expires - margin + 3), LinkStatus::Live);
    assert_eq!(
        health.handle(Input::Opened(2), expires - margin + 4, 0.0),
        [Command::Close(1), Command::Resync]
    );
    assert_eq!(health.tick(expires - margin + 5, 0.0), []);
}

#[test]
fn rest_failures_back_off_and_a_403_blocks() {
    let mut health = Health::new(HealthConfig::default());
    health.start(START);
    assert_eq!(
        health.handle(Input::ChannelFailed(RestFailure::Passing), START, 0.0),
        []
    );
    assert_eq!(health.tick(START + 999, 0.0), []);
    assert_eq!(health.tick(START + 1_000, 0.0), [Command::CreateChannel]);
    health.handle(
        Input::ChannelCreated(channel("c1", None)),
        START + 1_100,
        0.0,
    );
    assert_eq!(
        health.handle(
            Input::SubscribeFailed(RestFailure::NotFound),
            START + 1_200,
            0.0
        ),
        []
    );
    assert_eq!(
        health.tick(START + 1_200 + 2_000, 0.0),
        [Command::CreateChannel]
    );
    health.handle(
        Input::ChannelFailed(RestFailure::Forbidden),
        START + 3_300,
        0.0,
    );
    assert_eq!(
        health.status(START + 3_300),
        LinkStatus::Blocked(Blocked::Forbidden)
    );
    assert_eq!(
        health.tick(START + 100_000, 0.0),
        [],
        "no retry once blocked"
    );
}

#[test]
fn a_server_without_channels_is_not_asked_again() {
    let mut health = Health::new(HealthConfig::default());
    health.start(START);
    health.handle(Input::ChannelFailed(RestFailure::NotFound), START, 0.0);
    assert_eq!(
        health.status(START),
        LinkStatus::Blocked(Blocked::Unavailable)
    );
    assert_eq!(health.tick(START + 3_600_000, 0.0), []);
}

#[test]
fn rejected_topics_block_or_are_reported() {
    let rejected = RejectedTopic {
        topic: "v2.users.u1?presence&routingStatus".into(),
        missing_permissions: vec!["presence:userPresence:view".into()],
        reason: None,
    };
    let mut health = Health::new(HealthConfig::default());
    health.start(START);
    health.handle(Input::ChannelCreated(channel("c1", None)), START, 0.0);
    let refused = Subscription {
        permitted: vec![],
        rejected: vec![rejected.clone()],
    };
    assert_eq!(health.handle(Input::Subscribed(refused), START, 0.0), []);
    assert_eq!(
        health.status(START),
        LinkStatus::Blocked(Blocked::Rejected(vec![rejected.clone()]))
    );

    let mut health = Health::new(HealthConfig::default());
    health.start(START);
    health.handle(Input::ChannelCreated(channel("c1", None)), START, 0.0);
    let partial = Subscription {
        permitted: vec!["v2.users.u1.presence".into()],
        rejected: vec![rejected.clone()],
    };
    assert!(matches!(
        health.handle(Input::Subscribed(partial), START, 0.0)[..],
        [Command::Connect { .. }]
    ));
    assert_eq!(health.partly_rejected(), [rejected]);
}

#[test]
fn stop_closes_everything_and_nothing_follows() {
    let mut health = live();
    health.handle(Input::Message(1, Notice::SocketClosing), START + 5, 0.0);
    assert_eq!(health.stop(), [Command::Close(2), Command::Close(1)]);
    assert_eq!(health.status(START + 6), LinkStatus::Stopped);
    assert!(!health.owns(1) && !health.owns(2));
    assert_eq!(health.handle(Input::Opened(2), START + 7, 0.0), []);
    assert_eq!(health.handle(Input::Closed(1), START + 8, 0.0), []);
    assert_eq!(
        health.handle(Input::ChannelCreated(channel("c9", None)), START + 9, 0.0),
        []
    );
    assert_eq!(health.tick(START + 1_000_000, 0.0), []);
    assert_eq!(health.start(START), [], "a stopped machine never restarts");
    assert_eq!(health.stop(), []);
}

#[test]
fn late_or_foreign_inputs_are_ignored() {
    let mut health = live();
    assert_eq!(health.handle(Input::Opened(9), START, 0.0), []);
    assert_eq!(health.handle(Input::Closed(9), START, 0.0), []);
    assert_eq!(
        health.handle(Input::Message(9, Notice::ChannelGone), START, 0.0),
        []
    );
    assert_eq!(
        health.handle(Input::ChannelCreated(channel("late", None)), START, 0.0),
        [],
        "no channel was asked for"
    );
    assert_eq!(health.status(START), LinkStatus::Live);
    let mut unstarted = Health::new(HealthConfig::default());
    assert_eq!(unstarted.tick(START, 0.0), []);
    assert_eq!(unstarted.handle(Input::Opened(1), START, 0.0), []);
}

#[test]
fn a_socket_still_opening_is_closed_when_another_replaces_it() {
    // socket_closing starts socket 2; before it opens, the channel is renewed and socket 3
    // replaces it: socket 2 must be closed, not left open with nobody listening.
    let mut health = Health::new(HealthConfig::default());
    health.start(START);
    let expires = START + 86_400_000;
    let c1 = channel("c1", Some(expires));
    health.handle(Input::ChannelCreated(c1), START, 0.0);
    health.handle(Input::Subscribed(permitted()), START, 0.0);
    health.handle(Input::Opened(1), START, 0.0);
    let margin = HealthConfig::default().channel_renewal_margin_ms;
    let at = expires - margin;
    heartbeat(&mut health, 1, at - 1);
    health.handle(Input::Message(1, Notice::SocketClosing), at - 1, 0.0);
    assert!(health.owns(2));
    assert_eq!(health.tick(at, 0.0), [Command::CreateChannel]);
    let c2 = channel("c2", Some(expires + 86_400_000));
    health.handle(Input::ChannelCreated(c2), at + 1, 0.0);
    let commands = health.handle(Input::Subscribed(permitted()), at + 2, 0.0);
    assert!(commands.contains(&Command::Close(2)), "{commands:?}");
    assert!(!health.owns(2));
    assert!(commands.contains(&Command::Connect {
        socket: 3,
        uri: "wss://streaming.example/channels/c2".into()
    }));
}

#[test]
fn a_channel_already_near_its_expiry_is_not_renewed_at_every_tick() {
    // The server says the channel expires in a minute (or the clock is a day ahead): one
    // renewal after MIN_CHANNEL_USE_MS, not one per tick.
    let mut health = Health::new(HealthConfig::default());
    health.start(START);
    let c1 = channel("c1", Some(START + 60_000));
    health.handle(Input::ChannelCreated(c1), START, 0.0);
    health.handle(Input::Subscribed(permitted()), START, 0.0);
    health.handle(Input::Opened(1), START, 0.0);
    for second in 1..(MIN_CHANNEL_USE_MS / 1_000) {
        let at = START + second * 1_000;
        heartbeat(&mut health, 1, at);
        assert_eq!(health.tick(at, 0.0), [], "at {second} s");
    }
    heartbeat(&mut health, 1, START + MIN_CHANNEL_USE_MS);
    assert_eq!(
        health.tick(START + MIN_CHANNEL_USE_MS, 0.0),
        [Command::CreateChannel]
    );
}
