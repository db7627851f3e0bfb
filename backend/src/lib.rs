#![doc = include_str!("../README.md")]

pub mod auth;
pub mod config;
pub mod crypto;
pub mod demo;
pub mod domain;
pub mod embedded_postgres;
pub mod http;
pub mod platform;
pub mod store;
pub mod supervised;
pub mod telemetry;
