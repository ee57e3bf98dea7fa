//! Signing in with a browser: users get an e-mail address (their sign-in name), an Argon2id
//! password hash and a language; sessions live in the database (so that a revoked session ends on
//! every instance), one-time sign-in links (invitations and password resets) are stored by their
//! digest, and failed sign-ins are kept for the rate limit.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Email,
    PasswordHash,
    Language,
}

#[derive(DeriveIden)]
enum WebSessions {
    Table,
    Id,
    UserId,
    CsrfToken,
    CreatedAt,
    LastSeenAt,
    ExpiresAt,
    RevokedAt,
    UserAgent,
}

#[derive(DeriveIden)]
enum SignInLinks {
    Table,
    Id,
    UserId,
    Purpose,
    CreatedBy,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum SignInFailures {
    Table,
    Id,
    Account,
    Address,
    FailedAt,
}

fn time(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

fn user_fk(name: &str, table: impl IntoIden, column: impl IntoIden) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(table, column)
        .to(Users::Table, Users::Id)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per statement.
        for column in [
            ColumnDef::new(Users::Email)
                .string_len(254)
                .null()
                .to_owned(),
            ColumnDef::new(Users::PasswordHash)
                .string_len(200)
                .null()
                .to_owned(),
            ColumnDef::new(Users::Language)
                .string_len(16)
                .null()
                .to_owned(),
        ] {
            let mut column = column;
            manager
                .alter_table(
                    Table::alter()
                        .table(Users::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("uq_users_email")
                    .table(Users::Table)
                    .col(Users::Email)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WebSessions::Table)
                    .col(
                        ColumnDef::new(WebSessions::Id)
                            .string_len(64)
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(WebSessions::UserId)
                            .string_len(36)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(WebSessions::CsrfToken)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(time(WebSessions::CreatedAt))
                    .col(time(WebSessions::LastSeenAt))
                    .col(time(WebSessions::ExpiresAt))
                    .col(
                        ColumnDef::new(WebSessions::RevokedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(WebSessions::UserAgent)
                            .string_len(200)
                            .null(),
                    )
                    .foreign_key(&mut user_fk(
                        "fk_web_sessions_user",
                        WebSessions::Table,
                        WebSessions::UserId,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_web_sessions_user")
                    .table(WebSessions::Table)
                    .col(WebSessions::UserId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SignInLinks::Table)
                    .col(
                        ColumnDef::new(SignInLinks::Id)
                            .string_len(64)
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(SignInLinks::UserId)
                            .string_len(36)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(SignInLinks::Purpose)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(ColumnDef::new(SignInLinks::CreatedBy).string_len(36).null())
                    .col(time(SignInLinks::CreatedAt))
                    .col(time(SignInLinks::ExpiresAt))
                    .col(
                        ColumnDef::new(SignInLinks::UsedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .foreign_key(&mut user_fk(
                        "fk_sign_in_links_user",
                        SignInLinks::Table,
                        SignInLinks::UserId,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SignInFailures::Table)
                    .col(
                        ColumnDef::new(SignInFailures::Id)
                            .string_len(36)
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(SignInFailures::Account)
                            .string_len(254)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(SignInFailures::Address)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(time(SignInFailures::FailedAt))
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_sign_in_failures_account", SignInFailures::Account),
            ("idx_sign_in_failures_address", SignInFailures::Address),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(SignInFailures::Table)
                        .col(column)
                        .col(SignInFailures::FailedAt)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            SignInFailures::Table.into_iden(),
            SignInLinks::Table.into_iden(),
            WebSessions::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        manager
            .drop_index(
                Index::drop()
                    .name("uq_users_email")
                    .table(Users::Table)
                    .to_owned(),
            )
            .await?;
        for column in [Users::Language, Users::PasswordHash, Users::Email] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Users::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
