//! The fictional demo data set loads through the real services on every backend.

use courtwatch_tests::{TestApp, on_each_backend};

async fn demo_data_loads_once(app: &TestApp) {
    let summary = courtwatch_api::demo::load(&app.state)
        .await
        .expect("demo loads")
        .expect("first load");
    assert_eq!(
        summary,
        "loaded fictional demo data: 42 cases (33 published), 84 hearings, 84 observations, 15 rulings in XK, RS and ME"
    );
    assert!(
        courtwatch_api::demo::load(&app.state)
            .await
            .expect("second call")
            .is_none(),
        "loads only into an empty database"
    );
    // The harness's monitor is of another organisation: it sees the published cases only.
    for (jurisdiction, expected) in [("XK", 11), ("RS", 11), ("ME", 11)] {
        let (_, page) = app
            .get(&format!("/cases?jurisdiction={jurisdiction}&limit=500"))
            .await;
        let items = page["items"].as_array().expect("items");
        assert_eq!(items.len(), expected, "{}", app.backend);
        assert!(
            items
                .iter()
                .all(|c| c["title"].as_str().is_some_and(|t| t.starts_with("[DEMO")))
        );
    }
    // An admin sees all of them.
    let admin = app.user("admin", "Operators (fictional)").await;
    let as_admin = async |path: &str| {
        app.call(reqwest::Method::GET, path, Some(&admin), None)
            .await
            .1
    };
    let all = as_admin("/cases?limit=500").await;
    assert_eq!(all["items"].as_array().expect("items").len(), 42);
    let roma = as_admin("/cases?ground=roma_ashkali_egyptian&limit=500").await;
    assert_eq!(roma["items"].as_array().expect("items").len(), 6);
    let cyrillic = as_admin("/rulings?language=sr-Cyrl").await;
    assert!(
        cyrillic["items"][0]["full_text"]
            .as_str()
            .expect("text")
            .contains("ПРЕСУДА")
    );
}
on_each_backend!(demo_data_is_valid_on_every_backend, demo_data_loads_once);
