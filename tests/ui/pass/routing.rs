//! The route matcher's results: found with parameters, not found, method not allowed.

ratespec_macros::include_limits!("../specs/");

fn main() {
    match easemob_push::Endpoint::route("DELETE", "https://a1.easemob.com/acme/chat/push/label/vip") {
        easemob_push::Route::Found(found) => {
            assert_eq!(found.endpoint, easemob_push::Endpoint::DeletePushLabelByLabelname);
            assert_eq!(found.param("labelname"), Some("vip"));
        }
        other => panic!("{other:?}"),
    }
    let missing: rongcloud::Route<'static> = rongcloud::Endpoint::route("POST", "/nothing.json");
    assert_eq!(missing, rongcloud::Route::NotFound);
    let allowed = match rongcloud::Endpoint::route("GET", "/push.json") {
        rongcloud::Route::MethodNotAllowed { allowed } => allowed,
        other => panic!("{other:?}"),
    };
    assert_eq!(allowed, ["POST"]);
}
