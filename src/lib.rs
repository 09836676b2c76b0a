//! gopy ("góp ý": to give one's opinion): citizen feedback and public consultation for
//! Vietnamese cities.

pub mod charts;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod export;
pub mod http;
pub mod i18n;
pub mod jobs;
pub mod mail;
pub mod markdown;
pub mod policy;
pub mod search;
pub mod services;
pub mod startup;
pub mod state;
pub mod storage;
