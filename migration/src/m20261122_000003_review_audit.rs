//! Access control: the review workflow's states on cases and rulings (observations already have a
//! status column), the reviewer's comments and a case's trial-fairness grade, the organisation that
//! owns a ruling, the append-only audit trail, and service settings (anonymous statistics).
//!
//! Existing records are placed so that nothing becomes more visible than it was: cases and
//! monitors' rulings wait for review (`submitted`); imported case law, which courts have already
//! published, is `published`.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Cases {
    Table,
    ReviewStatus,
    ReviewComments,
    FairnessGrade,
    GradeJustification,
    GradedBy,
    GradedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Rulings {
    Table,
    OrganisationId,
    ReviewStatus,
    ReviewComments,
}

#[derive(DeriveIden, Clone, Copy)]
enum Observations {
    Table,
    ReviewComments,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    At,
    UserId,
    OrganisationId,
    Action,
    Resource,
    ResourceId,
    Before,
    After,
}

#[derive(DeriveIden)]
enum Settings {
    Table,
    Key,
    Value,
    UpdatedAt,
    UpdatedBy,
}

async fn add_columns(
    manager: &SchemaManager<'_>,
    table: impl IntoIden + Clone + 'static,
    columns: Vec<ColumnDef>,
) -> Result<(), DbErr> {
    // One column per statement: SQLite's ALTER TABLE adds one at a time.
    for mut column in columns {
        manager
            .alter_table(
                Table::alter()
                    .table(table.clone())
                    .add_column(&mut column)
                    .to_owned(),
            )
            .await?;
    }
    Ok(())
}

fn review_status<T: IntoIden>(name: T) -> ColumnDef {
    ColumnDef::new(name)
        .string_len(16)
        .not_null()
        .default("draft")
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_columns(
            manager,
            Cases::Table,
            vec![
                review_status(Cases::ReviewStatus),
                ColumnDef::new(Cases::ReviewComments)
                    .text()
                    .null()
                    .to_owned(),
                ColumnDef::new(Cases::FairnessGrade)
                    .string_len(1)
                    .null()
                    .to_owned(),
                ColumnDef::new(Cases::GradeJustification)
                    .text()
                    .null()
                    .to_owned(),
                ColumnDef::new(Cases::GradedBy)
                    .string_len(36)
                    .null()
                    .to_owned(),
                ColumnDef::new(Cases::GradedAt)
                    .timestamp_with_time_zone()
                    .null()
                    .to_owned(),
            ],
        )
        .await?;
        add_columns(
            manager,
            Rulings::Table,
            vec![
                ColumnDef::new(Rulings::OrganisationId)
                    .string_len(36)
                    .null()
                    .to_owned(),
                review_status(Rulings::ReviewStatus),
                ColumnDef::new(Rulings::ReviewComments)
                    .text()
                    .null()
                    .to_owned(),
            ],
        )
        .await?;
        add_columns(
            manager,
            Observations::Table,
            vec![
                ColumnDef::new(Observations::ReviewComments)
                    .text()
                    .null()
                    .to_owned(),
            ],
        )
        .await?;
        let db = manager.get_connection();
        for sql in [
            "UPDATE cases SET review_status = 'submitted'",
            "UPDATE rulings SET organisation_id = \
             (SELECT organisation_id FROM cases WHERE cases.id = rulings.case_id) \
             WHERE case_id IS NOT NULL",
            "UPDATE rulings SET organisation_id = \
             (SELECT organisation_id FROM users WHERE users.id = rulings.created_by) \
             WHERE organisation_id IS NULL",
            "UPDATE rulings SET review_status = CASE WHEN external_id IS NULL \
             THEN 'submitted' ELSE 'published' END",
        ] {
            db.execute_unprepared(sql).await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("idx_cases_review_status")
                    .table(Cases::Table)
                    .col(Cases::ReviewStatus)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .col(
                        ColumnDef::new(AuditLog::Id)
                            .string_len(36)
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(AuditLog::At)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    // None when the operator acted through the CLI.
                    .col(ColumnDef::new(AuditLog::UserId).string_len(36).null())
                    // The organisation the record belongs to (coordinators see their own).
                    .col(
                        ColumnDef::new(AuditLog::OrganisationId)
                            .string_len(36)
                            .null(),
                    )
                    .col(ColumnDef::new(AuditLog::Action).string_len(32).not_null())
                    .col(ColumnDef::new(AuditLog::Resource).string_len(32).not_null())
                    .col(
                        ColumnDef::new(AuditLog::ResourceId)
                            .string_len(36)
                            .not_null(),
                    )
                    .col(ColumnDef::new(AuditLog::Before).text().null())
                    .col(ColumnDef::new(AuditLog::After).text().null())
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_audit_resource_id", AuditLog::ResourceId),
            ("idx_audit_organisation", AuditLog::OrganisationId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(AuditLog::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        // The trail is append-only in the database itself, not only in the API.
        let refuse = match manager.get_database_backend() {
            sea_orm::DatabaseBackend::Sqlite => vec![
                "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log \
                 BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END"
                    .to_owned(),
                "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log \
                 BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END"
                    .to_owned(),
            ],
            _ => vec![
                "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS \
                 $$ BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END $$"
                    .to_owned(),
                "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log \
                 FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
                    .to_owned(),
            ],
        };
        for sql in refuse {
            db.execute_unprepared(&sql).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(Settings::Table)
                    .col(
                        ColumnDef::new(Settings::Key)
                            .string_len(64)
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Settings::Value).text().not_null())
                    .col(
                        ColumnDef::new(Settings::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Settings::UpdatedBy).string_len(36).null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Settings::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(AuditLog::Table).to_owned())
            .await?;
        if manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared("DROP FUNCTION IF EXISTS audit_log_append_only()")
                .await?;
        }
        manager
            .drop_index(
                Index::drop()
                    .name("idx_cases_review_status")
                    .table(Cases::Table)
                    .to_owned(),
            )
            .await?;
        for column in [Observations::ReviewComments] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Observations::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        for column in [
            Rulings::OrganisationId,
            Rulings::ReviewStatus,
            Rulings::ReviewComments,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Rulings::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        for column in [
            Cases::ReviewStatus,
            Cases::ReviewComments,
            Cases::FairnessGrade,
            Cases::GradeJustification,
            Cases::GradedBy,
            Cases::GradedAt,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Cases::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
