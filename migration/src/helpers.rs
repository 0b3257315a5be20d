//! Table-building helpers the migrations share. They only build statements; changing one
//! changes what a fresh database gets, so keep them as they are and add new ones instead.
use sea_orm_migration::{prelude::*, schema::*};

/// `created_at` and `updated_at`, which every table has.
pub fn stamps(t: &mut TableCreateStatement) -> &mut TableCreateStatement {
    t.col(timestamp_with_time_zone("created_at").default(Expr::current_timestamp()))
        .col(timestamp_with_time_zone("updated_at").default(Expr::current_timestamp()))
}

/// A foreign key from `from.col` to `to.id`.
pub fn fk(from: &'static str, col: &'static str, to: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(from, col).to(to, "id").to_owned()
}

/// An index on `cols` of `table`, in that order.
pub fn index(
    name: &'static str,
    table: &'static str,
    cols: &[&'static str],
    unique: bool,
) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(table);
    for c in cols {
        i.col(*c);
    }
    if unique {
        i.unique();
    }
    i.to_owned()
}

/// Drops index `name` of `table` (the `down` of a migration that made it with [`index`]).
pub fn drop_index(name: &'static str, table: &'static str) -> IndexDropStatement {
    Index::drop().name(name).table(table).to_owned()
}
