//! A `match` over every variant compiles without a wildcard arm, and the enum derives what
//! maps and sets need.

ratespec_macros::include_limits!("../specs/");

use easemob_push::Endpoint;

fn family(endpoint: Endpoint) -> &'static str {
    match endpoint {
        Endpoint::PostPushLabel
        | Endpoint::GetPushLabelByLabelname
        | Endpoint::GetPushLabel
        | Endpoint::DeletePushLabelByLabelname => "label",
        Endpoint::PostPushLabelByLabelnameUser
        | Endpoint::GetPushLabelByLabelnameUserByUsername
        | Endpoint::GetPushLabelByLabelnameUser
        | Endpoint::DeletePushLabelByLabelnameUser => "label user",
        Endpoint::PostPushSyncByTarget
        | Endpoint::PostPushSingle
        | Endpoint::PostPushListLabel
        | Endpoint::PostPushTask
        | Endpoint::PostPushMessage
        | Endpoint::PostPushMessageByMessageId
        | Endpoint::PostPushTaskBroadcast => "send",
    }
}

fn main() {
    let by_family: std::collections::BTreeMap<Endpoint, &str> =
        Endpoint::ALL.iter().map(|&e| (e, family(e))).collect();
    let set: std::collections::HashSet<Endpoint> = Endpoint::ALL.iter().copied().collect();
    assert_eq!(by_family.len(), set.len());
}
