//! Documentary credits, standby credits and demand guarantees: terms and
//! life cycle.
