//! A browser's way through sign-in: the platform's redirect, the identity
//! provider's real login page and form, and the callback with its cookies.

use std::sync::Arc;

use reqwest::cookie::{CookieStore, Jar};
use reqwest::{Client, StatusCode, Url};

use super::TestApp;
use super::idp::{PUBLIC_URL, idp};

/// A signed-in browser session on one test app.
pub struct Browser {
    pub client: Client,
    pub jar: Arc<Jar>,
    pub base: String,
}

#[derive(Debug, PartialEq, Eq)]
pub enum SignInOutcome {
    /// The provider showed its login form again (wrong password).
    LoginRefused,
    /// The platform refused the person after the provider vouched for them.
    PlatformRefused(u16, serde_json::Value),
}

impl Browser {
    pub fn new(app: &TestApp) -> Self {
        let jar = Arc::new(Jar::default());
        let client = Client::builder()
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self {
            client,
            jar,
            base: app.base.clone(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        let header = self.jar.cookies(&Url::parse(&self.base).unwrap())?;
        header
            .to_str()
            .unwrap()
            .split("; ")
            .find_map(|pair| pair.strip_prefix(&format!("{name}=")).map(str::to_owned))
    }

    pub fn csrf(&self) -> String {
        self.cookie(lcp::auth::session::CSRF_COOKIE)
            .expect("signed in: CSRF cookie")
    }

    /// Signs in through the provider's pages; on success the platform sent
    /// the browser back to `return_to`, and these are the cookies it set.
    pub async fn sign_in(
        &self,
        email: &str,
        password: &str,
        return_to: &str,
    ) -> Result<Vec<String>, SignInOutcome> {
        let start = self
            .client
            .get(self.url(&format!("/auth/login?return_to={return_to}")))
            .send()
            .await
            .unwrap();
        assert_eq!(
            start.status(),
            StatusCode::SEE_OTHER,
            "login redirects to the provider"
        );
        let authorize = location(&start);
        assert!(authorize.starts_with(&idp().issuer), "{authorize}");

        // a person already signed in at the provider comes straight back
        let callback = match self.follow(authorize).await {
            Followed::Back(callback) => callback,
            Followed::Page(html, page_url) => {
                let action = form_action(&html, &page_url);
                let submitted = self
                    .client
                    .post(action)
                    .form(&[("email", email), ("password", password)])
                    .send()
                    .await
                    .unwrap();
                match self.follow_response(submitted).await {
                    Followed::Page(html, _) => {
                        assert!(
                            html.contains("Wrong email or password"),
                            "the provider shows why: {html}"
                        );
                        return Err(SignInOutcome::LoginRefused);
                    }
                    Followed::Back(callback) => callback,
                }
            }
        };
        let back = self.client.get(self.url(&callback)).send().await.unwrap();
        if back.status() != StatusCode::SEE_OTHER {
            let status = back.status().as_u16();
            return Err(SignInOutcome::PlatformRefused(
                status,
                back.json().await.unwrap(),
            ));
        }
        assert_eq!(location(&back), return_to);
        Ok(back
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect())
    }

    async fn follow(&self, url: String) -> Followed {
        let response = self.client.get(&url).send().await.unwrap();
        self.follow_response(response).await
    }

    /// Follows the provider's redirects until it shows a page or sends the
    /// browser back to the platform.
    async fn follow_response(&self, mut response: reqwest::Response) -> Followed {
        for _ in 0..10 {
            if !response.status().is_redirection() {
                let url = response.url().to_string();
                return Followed::Page(response.text().await.unwrap(), url);
            }
            let next = Url::parse(response.url().as_str())
                .unwrap()
                .join(&location(&response))
                .unwrap();
            if let Some(path) = next.as_str().strip_prefix(PUBLIC_URL) {
                return Followed::Back(path.to_owned());
            }
            response = self.client.get(next).send().await.unwrap();
        }
        panic!("too many redirects")
    }
}

enum Followed {
    Page(String, String),
    Back(String),
}

pub fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

fn form_action(html: &str, page_url: &str) -> Url {
    let action = html
        .split("action=\"")
        .skip(1)
        .map(|rest| &rest[..rest.find('"').unwrap()])
        .find(|action| action.ends_with("/login"))
        .unwrap_or_else(|| panic!("no login form in {html}"));
    Url::parse(page_url)
        .unwrap()
        .join(&action.replace("&amp;", "&"))
        .unwrap()
}
