//! The table of every route gopy serves. Routes are added only through [`RouteTable`], which
//! records each method and path, so the authorization matrix test can check that no route
//! ships without a decided access rule.

use axum::Router;
use axum::handler::Handler;
use axum::routing::{delete, get, patch, post, put};
use http::Method;

use crate::state::AppState;

/// One method on one path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteEntry {
    /// HTTP method.
    pub method: Method,
    /// Path pattern, e.g. `/api/v1/consultations/{id}`.
    pub path: &'static str,
}

/// A router being built, with the list of what it serves.
pub struct RouteTable {
    router: Router<AppState>,
    entries: Vec<RouteEntry>,
}

impl Default for RouteTable {
    fn default() -> Self {
        Self {
            router: Router::new(),
            entries: Vec::new(),
        }
    }
}

macro_rules! method_fn {
    ($name:ident, $method:expr, $routing:ident) => {
        /// Adds a handler for this method on `path`.
        pub fn $name<H, T>(mut self, path: &'static str, handler: H) -> Self
        where
            H: Handler<T, AppState>,
            T: 'static,
        {
            self.router = self.router.route(path, $routing(handler));
            self.entries.push(RouteEntry {
                method: $method,
                path,
            });
            self
        }
    };
}

impl RouteTable {
    method_fn!(get, Method::GET, get);
    method_fn!(post, Method::POST, post);
    method_fn!(patch, Method::PATCH, patch);
    method_fn!(put, Method::PUT, put);
    method_fn!(delete, Method::DELETE, delete);

    /// Every route, in the order they were added.
    pub fn entries(&self) -> &[RouteEntry] {
        &self.entries
    }

    /// The router.
    pub fn into_router(self) -> Router<AppState> {
        self.router
    }
}
