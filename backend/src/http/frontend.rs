//! The web UI: the production build of `frontend/`, served at `/`. Paths
//! that are not files get `index.html`, so the UI's own routes survive a
//! reload; paths under `/api/` never do, they get a problem.

use std::path::{Path, PathBuf};

use actix_files::{Files, NamedFile};
use actix_web::dev::{ServiceRequest, ServiceResponse, fn_service};
use actix_web::web::Data;

use super::problem::ApiError;

#[derive(Debug, Clone)]
pub struct WebUi {
    dir: Option<PathBuf>,
}

impl WebUi {
    pub fn new(dir: &Path) -> Self {
        let dir = dir.join("index.html").is_file().then(|| dir.to_path_buf());
        if dir.is_none() {
            tracing::warn!(dir = %dir_display(dir.as_deref()), "web UI not built; `/` answers 404 until it is");
        }
        Self { dir }
    }

    /// Static files of the build, if there is one.
    pub fn files(&self) -> Option<Files> {
        let dir = self.dir.as_ref()?;
        Some(
            Files::new("/", dir)
                .index_file("index.html")
                .default_handler(fn_service(fallback)),
        )
    }
}

fn dir_display(dir: Option<&Path>) -> String {
    dir.map(|d| d.display().to_string())
        .unwrap_or_else(|| "(missing)".into())
}

/// What a path that matched no route and no file gets.
pub async fn fallback(request: ServiceRequest) -> Result<ServiceResponse, actix_web::Error> {
    let (request, _) = request.into_parts();
    let is_api = request.path().starts_with("/api/") || request.path() == "/api";
    let index = request
        .app_data::<Data<WebUi>>()
        .and_then(|ui| ui.dir.as_ref())
        .map(|dir| dir.join("index.html"));
    match index {
        Some(index) if !is_api && request.method() == actix_web::http::Method::GET => {
            let response = NamedFile::open_async(index).await?.into_response(&request);
            Ok(ServiceResponse::new(request, response))
        }
        _ => Err(ApiError::NotFound.into()),
    }
}
