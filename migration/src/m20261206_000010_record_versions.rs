//! Field entry without losing work: every observation carries a version, raised by each write,
//! so that a save made from an old copy is refused (`If-Match` in the API, a conflict page in the
//! browser) instead of silently overwriting a coordinator's step.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Observations {
    Table,
    Version,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Observations::Table)
                    .add_column(
                        ColumnDef::new(Observations::Version)
                            .integer()
                            .not_null()
                            .default(1),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Observations::Table)
                    .drop_column(Observations::Version)
                    .to_owned(),
            )
            .await
    }
}
