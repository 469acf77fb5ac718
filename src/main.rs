use leptos::prelude::*;
use pkce_desk::app::Root;

fn main() {
    console_error_panic_hook::set_once();
    // index.html shows a plain "Loading" until the app can render.
    if let Some(placeholder) = document().get_element_by_id("boot") {
        placeholder.remove();
    }
    leptos::mount::mount_to_body(Root);
}
