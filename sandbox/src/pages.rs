//! HTML pages served by the sandbox itself: the sign-in form and error pages.
//! Every value that came from a request goes through `escape`.

use crate::users::DEMO_USERS;

/// Escapes text for HTML element content and double- or single-quoted attributes.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The product a page imitates, and where its sign-in form posts.
pub struct Brand {
    pub product: &'static str,
    pub action: &'static str,
}

pub const GENESYS: Brand = Brand {
    product: "Genesys Cloud",
    action: "/oauth/authorize",
};

/// The validated authorization request the sign-in form carries along in hidden inputs.
pub struct SignInForm<'a> {
    pub client_id: &'a str,
    pub redirect_uri: &'a str,
    pub state: Option<&'a str>,
    pub code_challenge: &'a str,
    pub code_challenge_method: &'a str,
    /// Kept when re-rendering after a failed attempt.
    pub username: &'a str,
    pub error: Option<&'a str>,
}

const STYLE: &str = "\
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;\
background:#f2f4f7;font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;\
color:#1d2939}\
main{background:#fff;width:min(24rem,92vw);padding:2rem;border-radius:12px;box-shadow:0 4px 24px \
rgba(16,24,40,.12)}\
h1{font-size:1.35rem;margin:0 0 .25rem}\
.sub{margin:0 0 1.5rem;color:#667085;font-size:.9rem}\
label{display:block;font-weight:600;font-size:.9rem;margin:1rem 0 .25rem}\
input{box-sizing:border-box;width:100%;padding:.6rem .75rem;border:1px solid #d0d5dd;\
border-radius:8px;font:inherit}\
input:focus{outline:2px solid #ff4f1f;outline-offset:1px}\
.actions{display:flex;gap:.75rem;margin-top:1.5rem}\
button{flex:1;padding:.65rem;border-radius:8px;font:inherit;font-weight:600;cursor:pointer;\
border:1px solid #d0d5dd;background:#fff}\
button.primary{background:#ff4f1f;border-color:#ff4f1f;color:#fff}\
.error{margin:1rem 0 0;padding:.6rem .75rem;border-radius:8px;background:#fef3f2;color:#b42318;\
font-size:.9rem}\
.hint{margin-top:1.5rem;padding-top:1rem;border-top:1px solid #eaecf0;font-size:.8rem;\
color:#667085}\
.hint ul{margin:.25rem 0 0;padding-left:1.1rem}\
code{font-size:.85em}";

fn document(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n{body}</main>\n</body>\
         \n</html>\n",
        escape(title)
    )
}

fn hidden(name: &str, value: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"{name}\" value=\"{}\">\n",
        escape(value)
    )
}

pub fn sign_in_page(form: &SignInForm<'_>) -> String {
    branded_sign_in_page(&GENESYS, form, &[])
}

/// The sign-in page of `brand`; `extra` are more hidden inputs (name, value).
pub fn branded_sign_in_page(
    brand: &Brand,
    form: &SignInForm<'_>,
    extra: &[(&str, &str)],
) -> String {
    let mut body = String::new();
    // The only "Sign in" text on the page is the button, so tests can find it unambiguously.
    body.push_str(&format!(
        "<h1>{}</h1>\n<p class=\"sub\">Sandbox authorization server: use a demo account.</p>\n",
        escape(brand.product)
    ));
    body.push_str(&format!(
        "<form method=\"post\" action=\"{}\">\n",
        escape(brand.action)
    ));
    body.push_str(&hidden("client_id", form.client_id));
    body.push_str(&hidden("redirect_uri", form.redirect_uri));
    if let Some(state) = form.state {
        body.push_str(&hidden("state", state));
    }
    body.push_str(&hidden("code_challenge", form.code_challenge));
    body.push_str(&hidden("code_challenge_method", form.code_challenge_method));
    for (name, value) in extra {
        body.push_str(&hidden(name, value));
    }
    body.push_str("<label for=\"username\">Username</label>");
    if form.username.is_empty() {
        body.push_str("<input id=\"username\" name=\"username\" autocomplete=\"username\">\n");
    } else {
        body.push_str(&format!(
            "<input id=\"username\" name=\"username\" autocomplete=\"username\" value=\"{}\">\n",
            escape(form.username)
        ));
    }
    body.push_str("<label for=\"password\">Password</label>");
    body.push_str("<input id=\"password\" name=\"password\" type=\"password\">\n");
    if let Some(error) = form.error {
        body.push_str(&format!(
            "<p class=\"error\" role=\"alert\">{}</p>\n",
            escape(error)
        ));
    }
    // "Sign in" comes first so pressing Enter signs in rather than cancels.
    body.push_str(
        "<div class=\"actions\">\
         <button type=\"submit\" class=\"primary\" name=\"action\" \
         value=\"sign-in\">Sign in</button>\
         <button type=\"submit\" name=\"action\" value=\"cancel\">Cancel</button>\
         </div>\n</form>\n",
    );
    body.push_str("<div class=\"hint\">Demo users (password <code>");
    body.push_str(&escape(DEMO_USERS[0].password));
    body.push_str("</code>):<ul>");
    for user in DEMO_USERS {
        body.push_str(&format!(
            "<li><code>{}</code> ({})</li>",
            escape(user.username),
            escape(user.name)
        ));
    }
    body.push_str("</ul></div>\n");
    document(&format!("Sign in — {} (sandbox)", brand.product), &body)
}

pub fn error_page(heading: &str, message: &str) -> String {
    branded_error_page(&GENESYS, heading, message)
}

pub fn branded_error_page(brand: &Brand, heading: &str, message: &str) -> String {
    let body = format!(
        "<h1>{}</h1>\n<p class=\"error\" role=\"alert\">{}</p>\n\
         <p class=\"sub\">This request was not redirected back to the application.</p>\n",
        escape(heading),
        escape(message)
    );
    document(&format!("Error — {} (sandbox)", brand.product), &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_everything_dangerous() {
        assert_eq!(
            escape(r#"<a href="x" onclick='y'>&</a>"#),
            "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;"
        );
    }

    #[test]
    fn sign_in_page_escapes_request_values() {
        let page = sign_in_page(&SignInForm {
            client_id: "c\"><script>",
            redirect_uri: "http://x/cb?a=1&b=2",
            state: Some("<script>alert(1)</script>"),
            code_challenge: "ch",
            code_challenge_method: "S256",
            username: "\"><img>",
            error: Some("Invalid username or password."),
        });
        assert!(!page.contains("<script>"));
        assert!(!page.contains("<img>"));
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(page.contains("value=\"http://x/cb?a=1&amp;b=2\""));
        assert!(page.contains("Invalid username or password."));
        assert!(page.contains("<title>Sign in — Genesys Cloud (sandbox)</title>"));
    }

    #[test]
    fn state_input_only_when_given() {
        let form = SignInForm {
            client_id: "c",
            redirect_uri: "r",
            state: None,
            code_challenge: "ch",
            code_challenge_method: "S256",
            username: "",
            error: None,
        };
        let page = sign_in_page(&form);
        assert!(!page.contains("name=\"state\""));
        assert!(
            page.contains("<input id=\"username\" name=\"username\" autocomplete=\"username\">")
        );
        assert!(!page.contains("role=\"alert\""));
    }
}
