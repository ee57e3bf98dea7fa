//! `/methodology`

use courtwatch_tests::{TestApp, on_each_backend};

async fn serves_v1_in_three_languages(app: &TestApp) {
    let response = app
        .client
        .get(app.api("/methodology"))
        .send()
        .await
        .expect("get");
    let (status, body) = TestApp::read(response).await;
    assert_eq!(status, 200);
    assert_eq!(body["latest"], 1);
    assert_eq!(body["versions"][0]["version"], 1);
    assert_eq!(body["versions"][0]["question_count"], 108);

    let (status, v1) = TestApp::read(
        app.client
            .get(app.api("/methodology/1"))
            .send()
            .await
            .expect("get"),
    )
    .await;
    assert_eq!(status, 200);
    let questions = v1["questions"].as_array().expect("questions");
    assert_eq!(questions.len(), 108);
    let hate_speech = questions
        .iter()
        .find(|q| q["code"] == "hate_speech_in_courtroom")
        .expect("question");
    assert_eq!(hate_speech["scope"], "observation");
    assert_eq!(hate_speech["answer_type"], "yes_no");
    assert_eq!(hate_speech["required"], true);
    assert_eq!(
        hate_speech["label"]["sq"],
        "A pati gjuhë urrejtjeje ose fyese në sallën e gjyqit?"
    );
    assert_eq!(
        hate_speech["label"]["sr"],
        "Da li je u sudnici bilo govora mržnje ili ponižavajućeg jezika?"
    );
    let judge_reaction = questions
        .iter()
        .find(|q| q["code"] == "judge_reaction")
        .expect("question");
    assert_eq!(
        judge_reaction["when"]["question"],
        "hate_speech_in_courtroom"
    );
    let grounds = v1["vocabularies"]
        .as_array()
        .expect("vocabularies")
        .iter()
        .find(|v| v["code"] == "ground")
        .expect("ground");
    let sexual_orientation = grounds["terms"]
        .as_array()
        .expect("terms")
        .iter()
        .find(|t| t["code"] == "sexual_orientation")
        .expect("term");
    assert_eq!(sexual_orientation["label"]["sq"], "Orientimi seksual");
    assert_eq!(
        sexual_orientation["jurisdictions"],
        serde_json::json!(["XK", "RS", "ME"])
    );

    let (status, latest) = TestApp::read(
        app.client
            .get(app.api("/methodology/latest"))
            .send()
            .await
            .expect("get"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(latest["version"], 1);
    let (status, missing) = TestApp::read(
        app.client
            .get(app.api("/methodology/7"))
            .send()
            .await
            .expect("get"),
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(missing["status"], 404);
}
on_each_backend!(
    methodology_v1_in_three_languages,
    serves_v1_in_three_languages
);
