//! Saved searches and their feeds: a user's named search (its page address), when they last
//! opened it, the SHA-256 digest of its feed's secret (none when the feed is off), and the records
//! each has matched with when they were first seen (what "new matches" and the feed count from).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum SavedSearches {
    Table,
    Id,
    UserId,
    Name,
    Query,
    CreatedAt,
    OpenedAt,
    FeedSecretHash,
}

#[derive(DeriveIden)]
enum SavedSearchMatches {
    Table,
    SavedSearchId,
    Kind,
    RecordId,
    FirstSeenAt,
}

fn time(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SavedSearches::Table)
                    .col(
                        ColumnDef::new(SavedSearches::Id)
                            .string_len(36)
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(SavedSearches::UserId)
                            .string_len(36)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(SavedSearches::Name)
                            .string_len(200)
                            .not_null(),
                    )
                    .col(ColumnDef::new(SavedSearches::Query).text().not_null())
                    .col(time(SavedSearches::CreatedAt))
                    .col(time(SavedSearches::OpenedAt))
                    .col(
                        ColumnDef::new(SavedSearches::FeedSecretHash)
                            .string_len(64)
                            .null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_saved_searches_user")
                            .from(SavedSearches::Table, SavedSearches::UserId)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_saved_searches_user")
                    .table(SavedSearches::Table)
                    .col(SavedSearches::UserId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_saved_searches_feed")
                    .table(SavedSearches::Table)
                    .col(SavedSearches::FeedSecretHash)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SavedSearchMatches::Table)
                    .col(
                        ColumnDef::new(SavedSearchMatches::SavedSearchId)
                            .string_len(36)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(SavedSearchMatches::Kind)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(SavedSearchMatches::RecordId)
                            .string_len(36)
                            .not_null(),
                    )
                    .col(time(SavedSearchMatches::FirstSeenAt))
                    .primary_key(
                        Index::create()
                            .col(SavedSearchMatches::SavedSearchId)
                            .col(SavedSearchMatches::Kind)
                            .col(SavedSearchMatches::RecordId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_saved_search_matches_search")
                            .from(SavedSearchMatches::Table, SavedSearchMatches::SavedSearchId)
                            .to(SavedSearches::Table, SavedSearches::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SavedSearchMatches::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(SavedSearches::Table).to_owned())
            .await
    }
}
