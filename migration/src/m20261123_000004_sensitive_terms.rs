//! Sensitive terms: per case, the real names, addresses, ID numbers and places that must never
//! leave the recording organisation. Redaction replaces them (and their other spellings) wherever
//! text goes out; see `api/src/redact.rs`.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SensitiveTerms {
    Table,
    Id,
    CaseId,
    Position,
    Term,
    Kind,
    PartyId,
    CreatedAt,
    CreatedBy,
}

#[derive(DeriveIden)]
enum Cases {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Parties {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SensitiveTerms::Table)
                    .col(
                        ColumnDef::new(SensitiveTerms::Id)
                            .string_len(36)
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(SensitiveTerms::CaseId)
                            .string_len(36)
                            .not_null(),
                    )
                    // Order as entered, so the list reads back as it was written.
                    .col(
                        ColumnDef::new(SensitiveTerms::Position)
                            .integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(SensitiveTerms::Term).text().not_null())
                    .col(
                        ColumnDef::new(SensitiveTerms::Kind)
                            .string_len(16)
                            .not_null(),
                    )
                    // The party the term names: its pseudonym replaces the term.
                    .col(
                        ColumnDef::new(SensitiveTerms::PartyId)
                            .string_len(36)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(SensitiveTerms::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(SensitiveTerms::CreatedBy)
                            .string_len(36)
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_sensitive_terms_case")
                            .from(SensitiveTerms::Table, SensitiveTerms::CaseId)
                            .to(Cases::Table, Cases::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_sensitive_terms_party")
                            .from(SensitiveTerms::Table, SensitiveTerms::PartyId)
                            .to(Parties::Table, Parties::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_sensitive_terms_case")
                    .table(SensitiveTerms::Table)
                    .col(SensitiveTerms::CaseId)
                    .col(SensitiveTerms::Position)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SensitiveTerms::Table).to_owned())
            .await
    }
}
