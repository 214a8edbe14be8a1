// One module per document of specs/limits.toml, checked while this crate compiles.
ratespec::include_limits!("specs/");

use easemob::Endpoint;
use ratespec::{Limiter, Refusal};

fn main() {
    let url = "https://a1.easemob.com/acme/chat/push/single";
    let Some(push) = Endpoint::route("POST", url).endpoint() else {
        panic!("{url} is not a documented route");
    };
    println!("{push}: {} ({})", push.limit(), push.source());

    let limiter = Limiter::<Endpoint>::new();
    let (mut sent, mut waits) = (0, 0);
    while sent < 25 {
        match limiter.try_acquire(push) {
            Ok(_permit) => sent += 1, // send the request here
            Err(Refusal::Denied(denied)) => {
                waits += 1;
                std::thread::sleep(denied.retry_after);
            }
            Err(other) => panic!("{other}"),
        }
    }
    println!("sent {sent} pushes, waiting {waits} times for the next second");
}
