//! The fictional demo data set loads through the real services on every backend.

use courtwatch_tests::{TestApp, on_each_backend};

async fn demo_data_loads_once(app: &TestApp) {
    let summary = courtwatch_api::demo::load(&app.state)
        .await
        .expect("demo loads")
        .expect("first load");
    assert_eq!(
        summary,
        "loaded fictional demo data: 42 cases, 84 hearings, 84 observations, 15 rulings in XK, RS and ME"
    );
    assert!(
        courtwatch_api::demo::load(&app.state)
            .await
            .expect("second call")
            .is_none(),
        "loads only into an empty database"
    );
    for (jurisdiction, expected) in [("XK", 14), ("RS", 14), ("ME", 14)] {
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
    let (_, roma) = app
        .get("/cases?ground=roma_ashkali_egyptian&limit=500")
        .await;
    assert_eq!(roma["items"].as_array().expect("items").len(), 6);
    let (_, cyrillic) = app.get("/rulings?language=sr-Cyrl").await;
    assert!(
        cyrillic["items"][0]["full_text"]
            .as_str()
            .expect("text")
            .contains("ПРЕСУДА")
    );
}
on_each_backend!(demo_data_is_valid_on_every_backend, demo_data_loads_once);
