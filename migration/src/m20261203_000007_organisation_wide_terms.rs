//! A sensitive term can apply to every record of its organisation, not only to its case: the same
//! person in several cases (issue 19 §5). `organisation_id` is set on such terms, so that the
//! redactor of any case finds its organisation's terms with one indexed lookup.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SensitiveTerms {
    Table,
    OrganisationWide,
    OrganisationId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column a statement.
        manager
            .alter_table(
                Table::alter()
                    .table(SensitiveTerms::Table)
                    .add_column(
                        ColumnDef::new(SensitiveTerms::OrganisationWide)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(SensitiveTerms::Table)
                    .add_column(ColumnDef::new(SensitiveTerms::OrganisationId).text().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_sensitive_terms_organisation")
                    .table(SensitiveTerms::Table)
                    .col(SensitiveTerms::OrganisationId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_sensitive_terms_organisation")
                    .table(SensitiveTerms::Table)
                    .to_owned(),
            )
            .await?;
        for column in [
            SensitiveTerms::OrganisationId,
            SensitiveTerms::OrganisationWide,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(SensitiveTerms::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
