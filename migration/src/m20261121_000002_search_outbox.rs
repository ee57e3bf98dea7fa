//! The search outbox: one row per change to searchable content, written in the same transaction as
//! the change itself, and consumed by the service's background indexer. The index is derived from
//! the database; this table is how it stays in step, including after a crash. Also adds
//! `rulings.metadata` for the source fields of imported case law.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SearchOutbox {
    Table,
    Id,
    Kind,
    RecordId,
    CreatedAt,
    AppliedAt,
}

#[derive(DeriveIden)]
enum Rulings {
    Table,
    Metadata,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SearchOutbox::Table)
                    .col(
                        ColumnDef::new(SearchOutbox::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    // ruling | observation | case | hearing | court
                    .col(ColumnDef::new(SearchOutbox::Kind).string_len(16).not_null())
                    .col(
                        ColumnDef::new(SearchOutbox::RecordId)
                            .string_len(36)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(SearchOutbox::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    // Set instead of deleting the row while an index rebuild runs (it needs the row too).
                    .col(
                        ColumnDef::new(SearchOutbox::AppliedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
        // Imported case law carries source fields of its own (ECHR articles, conclusion ...): kept
        // as a JSON object rather than dropped.
        manager
            .alter_table(
                Table::alter()
                    .table(Rulings::Table)
                    .add_column(ColumnDef::new(Rulings::Metadata).text().null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Rulings::Table)
                    .drop_column(Rulings::Metadata)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(SearchOutbox::Table).to_owned())
            .await
    }
}
