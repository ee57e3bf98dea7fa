//! `courtwatch org …`, `courtwatch user …`: a coalition's admin manages organisations and users.

use crate::{
    config::{OrgCommand, UserCommand},
    error::ServiceError,
    services::{accounts, auth, organisation, users},
    state::AppState,
};

/// A service error as one line for the terminal, naming every problem.
pub fn describe(e: &ServiceError) -> String {
    match e {
        ServiceError::Invalid(problems) => problems
            .iter()
            .map(|p| format!("{}: {}", p.field, p.message))
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

/// `courtwatch org …`
pub async fn org(state: &AppState, command: OrgCommand) -> Result<(), String> {
    match command {
        OrgCommand::Add { name } => {
            let created = organisation::create(&state.db, None, &name)
                .await
                .map_err(|e| format!("cannot create the organisation: {}", describe(&e)))?;
            eprintln!("created organisation '{}'", created.name);
            println!("{}", created.id);
        }
        OrgCommand::List => {
            let users = organisation::users(&state.db, None)
                .await
                .map_err(|e| describe(&e))?;
            let list = organisation::list(&state.db)
                .await
                .map_err(|e| describe(&e))?;
            if list.is_empty() {
                eprintln!("no organisations yet; create one with `courtwatch org add NAME`");
            }
            for o in list {
                let n = users
                    .iter()
                    .filter(|u| u.user.organisation_id == o.id)
                    .count();
                println!("{}\t{}\t{n} users", o.id, o.name);
            }
        }
        OrgCommand::Rename { org, new_name } => {
            let renamed = organisation::rename(&state.db, None, &org, &new_name)
                .await
                .map_err(|e| format!("cannot rename the organisation: {}", describe(&e)))?;
            eprintln!("organisation {} is now '{}'", renamed.id, renamed.name);
        }
    }
    Ok(())
}

/// `courtwatch user …`
pub async fn user(state: &AppState, command: UserCommand) -> Result<(), String> {
    match command {
        UserCommand::Add {
            name,
            org,
            role,
            expires_in_days,
            email,
            public_url,
        } => {
            let created = auth::create_user(&state.db, &name, &org, &role, Some(expires_in_days))
                .await
                .map_err(|e| format!("cannot create the user: {}", describe(&e)))?;
            if let Some(email) = email {
                let link = async {
                    accounts::set_email(&state.db, &created.user.id, &email).await?;
                    accounts::create_link(
                        &state.db,
                        &created.user.id,
                        accounts::LinkPurpose::Invite,
                        None,
                    )
                    .await
                }
                .await
                .map_err(|e| format!("cannot make the sign-in link: {}", describe(&e)))?;
                eprintln!(
                    "to sign in with a browser, open this link within 72 hours and choose a password (it works once):\n\n    {}/welcome/{link}\n",
                    public_url.trim_end_matches('/')
                );
            }
            eprintln!(
                "created user {} ({}) in organisation '{}'; the token below expires in {expires_in_days} days and is shown only once:",
                created.user.id, created.user.role, created.organisation.name
            );
            println!("{}", created.token);
        }
        UserCommand::List { org } => {
            let rows = organisation::users(&state.db, org.as_deref())
                .await
                .map_err(|e| format!("cannot list users: {}", describe(&e)))?;
            for row in rows {
                let state = match row.user.deactivated_at {
                    Some(at) => format!("deactivated {}", at.to_rfc3339()),
                    None => "active".to_owned(),
                };
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{} live tokens",
                    row.user.id,
                    row.user.display_name,
                    row.organisation,
                    row.user.role,
                    state,
                    row.live_tokens
                );
            }
        }
        UserCommand::Deactivate { id } => {
            let user = users::deactivate(&state.db, None, &id)
                .await
                .map_err(|e| format!("cannot deactivate the user: {}", describe(&e)))?;
            eprintln!(
                "user {} ({}) is deactivated; none of their tokens is accepted any more",
                user.id, user.display_name
            );
        }
    }
    Ok(())
}
