#!/usr/bin/env bash
# Restore a backup made by backup.sh into an EMPTY database and media folder.
#
#   createdb tarina_restored
#   DATABASE_URL=postgres://tarina@db:5432/tarina_restored DJANGO_MEDIA_ROOT=/srv/media \
#       docker/restore.sh /backups/tarina-20260101T030000Z
#
# Then run `python manage.py migrate` (a no-op unless the code is newer than the backup),
# start the services, and purge again every story withdrawn after the backup was taken
# (docs/reliability.md, "Recovery"). Needs pg_restore, tar and sha256sum.
set -euo pipefail

src=${1:?usage: restore.sh BACKUP_FOLDER}
: "${DATABASE_URL:?DATABASE_URL must point at the empty PostgreSQL database}"
media_root=${DJANGO_MEDIA_ROOT:-${TARINA_VAR_DIR:-$(cd "$(dirname "$0")/.." && pwd)/var}/media}

(cd "$src" && sha256sum --check --quiet SHA256SUMS)

tables=$(psql --dbname="$DATABASE_URL" --no-psqlrc --tuples-only --no-align --command \
    "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")
if [ "$tables" != "0" ]; then
    echo "restore.sh: the database already has $tables tables; restore into an empty one" >&2
    exit 2
fi
if [ -f "$src/media.tar.gz" ] && [ -d "$media_root" ] && [ -n "$(ls -A "$media_root")" ]; then
    echo "restore.sh: $media_root is not empty; restore into an empty folder" >&2
    exit 2
fi

pg_restore --no-owner --no-privileges --exit-on-error --single-transaction \
    --dbname="$DATABASE_URL" "$src/database.dump"

if [ -f "$src/media.tar.gz" ]; then
    mkdir -p "$media_root"
    tar --extract --gzip --file="$src/media.tar.gz" --directory="$media_root"
fi
echo "restored $src"
