#!/usr/bin/env bash
# Back up Tarina: a PostgreSQL dump plus the media folder (originals and public copies).
#
#   DATABASE_URL=postgres://tarina@db:5432/tarina DJANGO_MEDIA_ROOT=/var/lib/tarina/media \
#       docker/backup.sh /backups
#
# Writes /backups/tarina-<UTC time>/ with database.dump (pg_dump custom format),
# media.tar.gz and SHA256SUMS, and prints that folder's path. Needs pg_dump of the
# server's major version (or newer), tar and sha256sum. With TARINA_STORAGE=s3 the media
# live in buckets: back those up with bucket versioning and replication instead
# (docs/deployment.md), and this script skips the media.
#
# The database is dumped first, then the media: a file is always written before the row
# that points at it commits, so every file a dumped row names is in the archive unless it
# was deleted meanwhile (a withdrawal, which restore.sh's instructions re-apply).
set -euo pipefail

dest=${1:?usage: backup.sh DESTINATION_FOLDER}
: "${DATABASE_URL:?DATABASE_URL must point at the PostgreSQL database}"
case "$DATABASE_URL" in
    postgres://* | postgresql://*) ;;
    *) echo "backup.sh: DATABASE_URL is not PostgreSQL" >&2; exit 2 ;;
esac
media_root=${DJANGO_MEDIA_ROOT:-${TARINA_VAR_DIR:-$(cd "$(dirname "$0")/.." && pwd)/var}/media}

umask 077  # stories, consent records and originals: readable by the backup owner only
out="$dest/tarina-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"

pg_dump --format=custom --no-owner --no-privileges --dbname="$DATABASE_URL" \
    --file="$out/database.dump"

if [ "${TARINA_STORAGE:-filesystem}" = "s3" ]; then
    echo "backup.sh: TARINA_STORAGE=s3, media are not in this backup" >&2
elif [ -d "$media_root" ]; then
    tar --create --gzip --file="$out/media.tar.gz" --directory="$media_root" .
else
    echo "backup.sh: no media folder at $media_root" >&2
    exit 2
fi

(cd "$out" && sha256sum -- * >SHA256SUMS)
echo "$out"
