//! EWS integration tests: the SOAP endpoint, its operations on the calendar, the Graph round
//! trip, and (`schema.rs`) every request and response validated against `messages.xsd`.

mod common;
mod exchangelib;
mod folder_ops;
mod items;
mod limits;
mod scenarios;
mod schema;
mod series;
mod subscriptions;
mod throttle;

macro_rules! scenario_tests {
    ($($name:ident => $path:path),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $name() {
                let env = common::start().await;
                $path(&env).await;
                env.emu.stop().await;
            }
        )*
    };
}

scenario_tests! {
    auth_and_faults => scenarios::auth_and_faults,
    folders => scenarios::folders,
    single_item_lifecycle => scenarios::single_item_lifecycle,
    series_with_exceptions => series::series_with_exceptions,
    every_pattern => series::every_pattern,
    paging => series::paging,
    sync_folder_items => series::sync_folder_items,
    graph_round_trip => series::graph_round_trip,
    connection_limit => throttle::connection_limit,
    held_connection => throttle::held_connection,
    sync_call_limit => throttle::sync_call_limit,
    subscription_limit => limits::subscription_limit,
    restart_drops_subscriptions => limits::restart_drops_subscriptions,
    ews_switched_off => limits::ews_switched_off,
    ews_limits_through_the_control_api => limits::limits_through_the_control_api,
    task_lifecycle => items::task_lifecycle,
    contact_lifecycle => items::contact_lifecycle,
    pull_subscription_lifecycle => subscriptions::pull_subscription_lifecycle,
    subscription_filters_and_paging => subscriptions::filters_and_paging,
    subscription_expiry_and_errors => subscriptions::expiry_and_errors,
    graph_writes_are_ews_events => subscriptions::graph_writes_are_events,
    find_and_create_folders => folder_ops::find_and_create_folders,
    folder_errors => folder_ops::folder_errors,
}
