/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

#include "group/mike_db.h"
#include "common/mike_sam.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include <daemon.h>
#include <threading/mutex.h>

/** how long a store waits for another one's write lock, in ms */
#define BUSY_TIMEOUT 5000

/** Message IDs are 32-bit */
#define MSG_ID_LIMIT ((int64_t)1 << 32)

/** size of a stored TEK SPI (big-endian) */
#define TEK_SPI_SIZE sizeof(uint32_t)

typedef struct private_mike_db_t private_mike_db_t;

/**
 * Private data of a mike_db_t object.
 */
struct private_mike_db_t {

	/**
	 * Public interface.
	 */
	mike_db_t public;

	/**
	 * The connection.
	 */
	sqlite3 *db;

	/**
	 * File path, for messages.
	 */
	char *path;

	/**
	 * Whether begin() opened a transaction.
	 */
	bool in_tx;

	/**
	 * The group whose row ID is known in the transaction begin() opened
	 * (each write of a save would look it up again), NULL if none
	 */
	char *tx_group;

	/**
	 * Its row ID
	 */
	int64_t tx_group_id;

	/**
	 * Serializes the groups' use of the connection (opened without SQLite's
	 * own mutexes): held from begin() to commit() or rollback(), around
	 * each write of its own and from prepare() to release() of each
	 * statement, as kept ones are shared (recursive)
	 */
	mutex_t *mutex;

	/**
	 * Prepared statements kept for reuse (parsing SQL cost more than
	 * running it), searched by address: a few dozen at most
	 */
	struct stmt_t *stmts;

	/**
	 * Number of kept statements
	 */
	int stmt_count;
};

/**
 * A statement kept prepared, by the address of its SQL (all are literals)
 */
typedef struct stmt_t {

	/** the SQL it was prepared from */
	const char *sql;

	/** the statement */
	sqlite3_stmt *stmt;

	/** whether it is in use (prepared, not yet released) */
	bool in_use;
} stmt_t;

/**
 * The LKH tree's nodes (schema version 2): one row per node, written when
 * the node changes
 */
#define LKH_NODES_TABLE \
	"CREATE TABLE lkh_nodes (" \
		"group_id INTEGER NOT NULL REFERENCES groups(id), " \
		"num INTEGER NOT NULL, " \
		"parent INTEGER NOT NULL, " \
		"side INTEGER NOT NULL, " \
		"key_id INTEGER NOT NULL, " \
		"key BLOB, " \
		"member INTEGER, " \
		"PRIMARY KEY (group_id, num)) WITHOUT ROWID"

/**
 * The schema, created in one transaction if the file has none.
 */
static const char *schema[] = {
	"CREATE TABLE schema_version ("
		"version INTEGER NOT NULL)",
	"CREATE TABLE groups ("
		"id INTEGER PRIMARY KEY, "
		"name TEXT NOT NULL UNIQUE, "
		"next_msg_id INTEGER NOT NULL DEFAULT 0, "
		"kek_spi BLOB, "
		"kek_keymat BLOB, "
		"lkh BLOB, "
		"signer BLOB, "
		"expelled BLOB, "
		"lkh_next_id INTEGER, "
		"lkh_next_num INTEGER)",
	"CREATE TABLE used_spis ("
		"group_id INTEGER NOT NULL REFERENCES groups(id), "
		"spi BLOB NOT NULL, "
		"PRIMARY KEY (group_id, spi)) WITHOUT ROWID",
	"CREATE TABLE teks ("
		"group_id INTEGER NOT NULL REFERENCES groups(id), "
		"spi INTEGER NOT NULL, "
		"enc_alg INTEGER NOT NULL, "
		"enc_keylen INTEGER NOT NULL, "
		"int_alg INTEGER NOT NULL, "
		"keymat BLOB NOT NULL, "
		"lifetime INTEGER NOT NULL, "
		"created INTEGER NOT NULL, "
		"sender_type INTEGER, "
		"sender BLOB, "
		"source_family INTEGER, "
		"source BLOB, "
		"source_port INTEGER, "
		"sam_source INTEGER, "
		"sam_key BLOB, "
		"sam_bootstrap BLOB, "
		"PRIMARY KEY (group_id, spi))",
	"CREATE TABLE members ("
		"seq INTEGER PRIMARY KEY, "
		"group_id INTEGER NOT NULL REFERENCES groups(id), "
		"id_type INTEGER NOT NULL, "
		"id BLOB NOT NULL, "
		"sender INTEGER NOT NULL, "
		"tek_spi INTEGER NOT NULL, "
		"leaf INTEGER NOT NULL, "
		"UNIQUE (group_id, id_type, id))",
	LKH_NODES_TABLE,
};

/**
 * Converting a version 1 file: the trees move from groups.lkh into
 * lkh_nodes when their group is loaded next (mike_group_db_t), the blob
 * stays until then
 */
static const char *upgrade_1_to_2[] = {
	"ALTER TABLE groups ADD COLUMN lkh_next_id INTEGER",
	"ALTER TABLE groups ADD COLUMN lkh_next_num INTEGER",
	LKH_NODES_TABLE,
	"UPDATE schema_version SET version = 2",
};

/**
 * Converting a version 2 file: the senders' SAM keys with their TEKs
 * (docs/sam-keys.md); TEKs stored before have none
 */
static const char *upgrade_2_to_3[] = {
	"ALTER TABLE teks ADD COLUMN sam_source INTEGER",
	"ALTER TABLE teks ADD COLUMN sam_key BLOB",
	"UPDATE schema_version SET version = 3",
};

/**
 * Converting a version 3 file: the senders' SAM bootstraps with their
 * TEKs; TEKs stored before have none
 */
static const char *upgrade_3_to_4[] = {
	"ALTER TABLE teks ADD COLUMN sam_bootstrap BLOB",
	"UPDATE schema_version SET version = 4",
};

/**
 * Log a failure with SQLite's reason
 */
static void log_error(private_mike_db_t *this, char *what)
{
	DBG1(DBG_CFG, "mike: database %s: %s failed: %s", this->path, what,
		 this->db ? sqlite3_errmsg(this->db) : "out of memory");
}

/**
 * Prepare a statement, NULL on failure; the connection stays locked until
 * release() gives it back.  A statement of the same SQL is reused if one is
 * kept and not in use
 */
static sqlite3_stmt *prepare(private_mike_db_t *this, const char *sql)
{
	sqlite3_stmt *stmt = NULL;
	stmt_t *kept;
	bool known = FALSE;
	int i;

	this->mutex->lock(this->mutex);
	for (i = 0; i < this->stmt_count; i++)
	{
		kept = &this->stmts[i];
		if (kept->sql == sql)
		{
			if (!kept->in_use)
			{
				kept->in_use = TRUE;
				return kept->stmt;
			}
			/* nested use of the same SQL: a statement of its own */
			known = TRUE;
			break;
		}
	}
	if (sqlite3_prepare_v2(this->db, sql, -1, &stmt, NULL) != SQLITE_OK)
	{
		log_error(this, "preparing a statement");
		sqlite3_finalize(stmt);
		this->mutex->unlock(this->mutex);
		return NULL;
	}
	if (!known)
	{
		this->stmts = realloc(this->stmts,
							  (this->stmt_count + 1) * sizeof(stmt_t));
		this->stmts[this->stmt_count++] = (stmt_t){
			.sql = sql,
			.stmt = stmt,
			.in_use = TRUE,
		};
	}
	return stmt;
}

/**
 * Release a statement of prepare() (none if NULL) and the connection: a
 * kept one is reset and its parameters cleared, any other finalized
 */
static void release(private_mike_db_t *this, sqlite3_stmt *stmt)
{
	stmt_t *kept;
	int i;

	if (!stmt)
	{
		return;
	}
	for (i = 0; i < this->stmt_count; i++)
	{
		kept = &this->stmts[i];
		if (kept->stmt == stmt)
		{
			/* its error, if any, was reported by the step */
			sqlite3_reset(stmt);
			sqlite3_clear_bindings(stmt);
			kept->in_use = FALSE;
			this->mutex->unlock(this->mutex);
			return;
		}
	}
	sqlite3_finalize(stmt);
	this->mutex->unlock(this->mutex);
}

/**
 * Run a statement without parameters and results
 */
static bool exec_sql(private_mike_db_t *this, const char *sql)
{
	sqlite3_stmt *stmt;
	int rc;

	stmt = prepare(this, sql);
	if (!stmt)
	{
		return FALSE;
	}
	do
	{
		rc = sqlite3_step(stmt);
	}
	while (rc == SQLITE_ROW);
	if (rc != SQLITE_DONE)
	{
		log_error(this, (char*)sql);
	}
	release(this, stmt);
	return rc == SQLITE_DONE;
}

/**
 * Step a prepared statement that returns no rows and release it
 */
static bool step_done(private_mike_db_t *this, sqlite3_stmt *stmt, char *what)
{
	bool ok;

	if (!stmt)
	{
		return FALSE;
	}
	ok = sqlite3_step(stmt) == SQLITE_DONE;
	if (!ok)
	{
		log_error(this, what);
	}
	release(this, stmt);
	return ok;
}

/**
 * Step a statement that returns no rows if binding its parameters went
 * well, and release it
 */
static bool step_bound(private_mike_db_t *this, sqlite3_stmt *stmt,
					   bool bound, char *what)
{
	if (!bound)
	{
		release(this, stmt);
		return FALSE;
	}
	return step_done(this, stmt, what);
}

/**
 * Bind a chunk as blob (NULL if empty); the chunk must outlive the step
 */
static bool bind_chunk(sqlite3_stmt *stmt, int i, chunk_t chunk)
{
	if (!chunk.len)
	{
		return sqlite3_bind_null(stmt, i) == SQLITE_OK;
	}
	if (chunk.len > INT_MAX)
	{
		return FALSE;
	}
	return sqlite3_bind_blob(stmt, i, chunk.ptr, chunk.len,
							 SQLITE_STATIC) == SQLITE_OK;
}

/**
 * Bind a text
 */
static bool bind_text(sqlite3_stmt *stmt, int i, char *str)
{
	return sqlite3_bind_text(stmt, i, str, -1, SQLITE_STATIC) == SQLITE_OK;
}

/**
 * Bind an integer
 */
static bool bind_int(sqlite3_stmt *stmt, int i, int64_t value)
{
	return sqlite3_bind_int64(stmt, i, value) == SQLITE_OK;
}

/**
 * A column as chunk, pointing into SQLite's memory (valid until the next
 * step/release), empty for NULL
 */
static chunk_t column_chunk(sqlite3_stmt *stmt, int i)
{
	const void *ptr;
	int len;

	ptr = sqlite3_column_blob(stmt, i);
	len = sqlite3_column_bytes(stmt, i);
	if (!ptr || len <= 0)
	{
		return chunk_empty;
	}
	return chunk_create((u_char*)ptr, len);
}

/**
 * An integer column within [min, max], FALSE if it is not one
 */
static bool column_int(sqlite3_stmt *stmt, int i, int64_t min, int64_t max,
					   int64_t *value)
{
	if (sqlite3_column_type(stmt, i) != SQLITE_INTEGER)
	{
		return FALSE;
	}
	*value = sqlite3_column_int64(stmt, i);
	return *value >= min && *value <= max;
}

/**
 * Finish loading rows into a list: the list, or NULL (destroyed) if the
 * last step was no SQLITE_DONE (a failure, or a row that was invalid)
 */
static linked_list_t *rows_done(private_mike_db_t *this, sqlite3_stmt *stmt,
								int rc, linked_list_t *list,
								void (*destroy)(void*), char *what)
{
	if (rc != SQLITE_DONE)
	{
		if (rc != SQLITE_ROW)
		{
			log_error(this, what);
		}
		list->destroy_function(list, destroy);
		list = NULL;
	}
	release(this, stmt);
	return list;
}

/**
 * Start a write: a transaction, or a savepoint in the caller's
 */
static bool tx_begin(private_mike_db_t *this)
{
	this->mutex->lock(this->mutex);
	if (!exec_sql(this, this->in_tx ? "SAVEPOINT mike_db"
									: "BEGIN IMMEDIATE"))
	{
		this->mutex->unlock(this->mutex);
		return FALSE;
	}
	return TRUE;
}

/**
 * End a write started with tx_begin(), committing if ok, else rolling back
 */
static bool tx_end(private_mike_db_t *this, bool ok)
{
	if (this->in_tx)
	{
		if (!ok)
		{
			exec_sql(this, "ROLLBACK TO mike_db");
		}
		ok = exec_sql(this, "RELEASE mike_db") && ok;
	}
	else if (!ok || !exec_sql(this, "COMMIT"))
	{
		if (!sqlite3_get_autocommit(this->db))
		{
			exec_sql(this, "ROLLBACK");
		}
		ok = FALSE;
	}
	this->mutex->unlock(this->mutex);
	return ok;
}

/**
 * The row ID of a group, 0 if it has none and create is FALSE
 */
static bool group_id(private_mike_db_t *this, char *name, bool create,
					 int64_t *id)
{
	sqlite3_stmt *stmt;
	bool existed = FALSE;
	int rc;

	*id = 0;
	/* the transaction's, under its lock: other threads wait for it */
	this->mutex->lock(this->mutex);
	if (this->in_tx && this->tx_group && streq(this->tx_group, name))
	{
		*id = this->tx_group_id;
		this->mutex->unlock(this->mutex);
		return TRUE;
	}
	this->mutex->unlock(this->mutex);
	if (create)
	{
		stmt = prepare(this, "INSERT OR IGNORE INTO groups (name) VALUES (?)");
		if (!stmt || !bind_text(stmt, 1, name))
		{
			release(this, stmt);
			return FALSE;
		}
		if (!step_done(this, stmt, "adding a group"))
		{
			return FALSE;
		}
		existed = !sqlite3_changes(this->db);
	}
	stmt = prepare(this, "SELECT id FROM groups WHERE name = ?");
	if (!stmt || !bind_text(stmt, 1, name))
	{
		release(this, stmt);
		return FALSE;
	}
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
	{
		*id = sqlite3_column_int64(stmt, 0);
		if (this->in_tx && existed && !this->tx_group)
		{	/* no row is deleted from groups; one that existed before this
			 * write's savepoint stays until the transaction ends */
			this->tx_group = strdup(name);
			this->tx_group_id = *id;
		}
	}
	else if (rc != SQLITE_DONE)
	{
		log_error(this, "looking up a group");
	}
	release(this, stmt);
	return rc == SQLITE_ROW || (rc == SQLITE_DONE && !create);
}

METHOD(mike_db_t, reserve_message_ids, bool,
	private_mike_db_t *this, char *group, uint32_t n, uint32_t *first)
{
	sqlite3_stmt *stmt;
	int64_t gid, next = -1;
	bool ok;

	if (this->in_tx)
	{
		DBG1(DBG_CFG, "mike: database %s: Message IDs can not be reserved "
			 "in a transaction", this->path);
		return FALSE;
	}
	if (!n || !tx_begin(this))
	{
		return FALSE;
	}
	ok = group_id(this, group, TRUE, &gid);
	if (ok)
	{
		stmt = prepare(this, "SELECT next_msg_id FROM groups WHERE id = ?");
		ok = stmt && bind_int(stmt, 1, gid) &&
			 sqlite3_step(stmt) == SQLITE_ROW &&
			 column_int(stmt, 0, 0, MSG_ID_LIMIT, &next);
		if (!ok)
		{
			log_error(this, "reading the Message ID high-water mark");
		}
		release(this, stmt);
	}
	if (ok && next + n > MSG_ID_LIMIT)
	{
		DBG1(DBG_CFG, "mike: database %s: Message IDs of group '%s' "
			 "exhausted", this->path, group);
		ok = FALSE;
	}
	if (ok)
	{
		stmt = prepare(this, "UPDATE groups SET next_msg_id = ? WHERE id = ?");
		ok = stmt && bind_int(stmt, 1, next + n) && bind_int(stmt, 2, gid);
		if (ok)
		{
			ok = step_done(this, stmt,
						   "advancing the Message ID high-water mark");
		}
		else
		{
			release(this, stmt);
		}
	}
	if (!tx_end(this, ok))
	{
		return FALSE;
	}
	*first = next;
	return TRUE;
}

METHOD(mike_db_t, set_next_message_id, bool,
	private_mike_db_t *this, char *group, uint64_t next)
{
	sqlite3_stmt *stmt;
	int64_t gid;
	bool ok;

	if (next > MSG_ID_LIMIT || !tx_begin(this))
	{
		return FALSE;
	}
	ok = group_id(this, group, TRUE, &gid);
	if (ok)
	{
		stmt = prepare(this, "UPDATE groups SET next_msg_id = "
							 "max(next_msg_id, ?) WHERE id = ?");
		ok = stmt && bind_int(stmt, 1, next) && bind_int(stmt, 2, gid);
		if (ok)
		{
			ok = step_done(this, stmt, "storing the next Message ID");
		}
		else
		{
			release(this, stmt);
		}
	}
	return tx_end(this, ok);
}

METHOD(mike_db_t, get_next_message_id, bool,
	private_mike_db_t *this, char *group, uint64_t *next)
{
	sqlite3_stmt *stmt;
	int64_t value = 0;
	int rc;
	bool ok;

	stmt = prepare(this, "SELECT next_msg_id FROM groups WHERE name = ?");
	if (!stmt || !bind_text(stmt, 1, group))
	{
		release(this, stmt);
		return FALSE;
	}
	rc = sqlite3_step(stmt);
	ok = rc == SQLITE_DONE ||
		 (rc == SQLITE_ROW && column_int(stmt, 0, 0, MSG_ID_LIMIT, &value));
	if (!ok)
	{
		log_error(this, "reading the Message ID high-water mark");
	}
	release(this, stmt);
	*next = value;
	return ok;
}

/**
 * Record an SPI (of any size) as used, *fresh tells whether it was new
 */
static bool insert_spi(private_mike_db_t *this, int64_t gid, chunk_t spi,
					   bool *fresh)
{
	sqlite3_stmt *stmt;

	stmt = prepare(this, "INSERT OR IGNORE INTO used_spis (group_id, spi) "
						 "VALUES (?, ?)");
	if (!stmt || !bind_int(stmt, 1, gid) || !bind_chunk(stmt, 2, spi))
	{
		release(this, stmt);
		return FALSE;
	}
	if (!step_done(this, stmt, "recording an SPI"))
	{
		return FALSE;
	}
	*fresh = sqlite3_changes(this->db) > 0;
	return TRUE;
}

METHOD(mike_db_t, claim_spi, status_t,
	private_mike_db_t *this, char *group, uint32_t spi)
{
	uint8_t buf[TEK_SPI_SIZE];
	int64_t gid;
	bool ok, fresh = FALSE;

	htoun32(buf, spi);
	if (!tx_begin(this))
	{
		return FAILED;
	}
	ok = group_id(this, group, TRUE, &gid) &&
		 insert_spi(this, gid, chunk_from_thing(buf), &fresh);
	if (!tx_end(this, ok))
	{
		return FAILED;
	}
	return fresh ? SUCCESS : ALREADY_DONE;
}

METHOD(mike_db_t, load_spis, linked_list_t*,
	private_mike_db_t *this, char *group)
{
	sqlite3_stmt *stmt;
	linked_list_t *list;
	chunk_t spi;
	int rc;

	stmt = prepare(this, "SELECT s.spi FROM used_spis s JOIN groups g "
						 "ON s.group_id = g.id WHERE g.name = ?");
	if (!stmt || !bind_text(stmt, 1, group))
	{
		release(this, stmt);
		return NULL;
	}
	list = linked_list_create();
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
	{
		spi = column_chunk(stmt, 0);
		if (spi.len == TEK_SPI_SIZE)
		{	/* KEK SPIs are longer */
			list->insert_last(list, (void*)(uintptr_t)untoh32(spi.ptr));
		}
	}
	if (rc != SQLITE_DONE)
	{
		log_error(this, "loading SPIs");
		list->destroy(list);
		list = NULL;
	}
	release(this, stmt);
	return list;
}

/**
 * Read one or two blob columns of a group's row, allocated, empty if none
 */
static bool get_blobs(private_mike_db_t *this, char *group, const char *sql,
					  chunk_t *a, chunk_t *b)
{
	sqlite3_stmt *stmt;
	int rc;

	*a = chunk_empty;
	if (b)
	{
		*b = chunk_empty;
	}
	stmt = prepare(this, sql);
	if (!stmt || !bind_text(stmt, 1, group))
	{
		release(this, stmt);
		return FALSE;
	}
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
	{
		*a = chunk_clone(column_chunk(stmt, 0));
		if (b)
		{
			*b = chunk_clone(column_chunk(stmt, 1));
		}
	}
	else if (rc != SQLITE_DONE)
	{
		log_error(this, "reading a group");
	}
	release(this, stmt);
	return rc == SQLITE_ROW || rc == SQLITE_DONE;
}

/**
 * Set one blob column of a group's row, creating the group
 */
static bool set_blob(private_mike_db_t *this, char *group, const char *sql,
					 chunk_t value)
{
	sqlite3_stmt *stmt;
	int64_t gid;
	bool ok;

	if (!tx_begin(this))
	{
		return FALSE;
	}
	ok = group_id(this, group, TRUE, &gid);
	if (ok)
	{
		stmt = prepare(this, sql);
		ok = stmt && bind_chunk(stmt, 1, value) && bind_int(stmt, 2, gid);
		if (ok)
		{
			ok = step_done(this, stmt, "updating a group");
		}
		else
		{
			release(this, stmt);
		}
	}
	return tx_end(this, ok);
}

METHOD(mike_db_t, set_kek, bool,
	private_mike_db_t *this, char *group, chunk_t spi, chunk_t keymat)
{
	sqlite3_stmt *stmt;
	chunk_t current = chunk_empty;
	int64_t gid;
	bool ok, fresh = TRUE;

	if (!spi.len || !keymat.len)
	{
		return FALSE;
	}
	if (!tx_begin(this))
	{
		return FALSE;
	}
	ok = group_id(this, group, TRUE, &gid) &&
		 get_blobs(this, group, "SELECT kek_spi FROM groups WHERE name = ?",
				   &current, NULL);
	if (ok && !chunk_equals(current, spi))
	{
		ok = insert_spi(this, gid, spi, &fresh);
		if (ok && !fresh)
		{
			DBG1(DBG_CFG, "mike: database %s: KEK SPI of group '%s' was used "
				 "before", this->path, group);
			ok = FALSE;
		}
		if (ok && current.len)
		{	/* a new rekey SA replaces one: its Message IDs start at 0
			 * (RFC 9838 2.4.1.3); the SPI is never used twice, so
			 * neither is a (SPI, Message ID) pair.  Those reserved for
			 * the first KEK before it was first stored stay used */
			stmt = prepare(this, "UPDATE groups SET next_msg_id = 0 "
								 "WHERE id = ?");
			ok = stmt && bind_int(stmt, 1, gid);
			if (ok)
			{
				ok = step_done(this, stmt, "restarting the Message IDs");
			}
			else
			{
				release(this, stmt);
			}
		}
	}
	chunk_free(&current);
	if (ok)
	{
		stmt = prepare(this, "UPDATE groups SET kek_spi = ?, kek_keymat = ? "
							 "WHERE id = ?");
		ok = stmt && bind_chunk(stmt, 1, spi) && bind_chunk(stmt, 2, keymat) &&
			 bind_int(stmt, 3, gid);
		if (ok)
		{
			ok = step_done(this, stmt, "storing the KEK");
		}
		else
		{
			release(this, stmt);
		}
	}
	return tx_end(this, ok);
}

METHOD(mike_db_t, get_kek, bool,
	private_mike_db_t *this, char *group, chunk_t *spi, chunk_t *keymat)
{
	return get_blobs(this, group, "SELECT kek_spi, kek_keymat FROM groups "
					 "WHERE name = ?", spi, keymat);
}

METHOD(mike_db_t, set_lkh, bool,
	private_mike_db_t *this, char *group, chunk_t lkh)
{
	return set_blob(this, group, "UPDATE groups SET lkh = ? WHERE id = ?", lkh);
}

METHOD(mike_db_t, get_lkh, bool,
	private_mike_db_t *this, char *group, chunk_t *lkh)
{
	return get_blobs(this, group, "SELECT lkh FROM groups WHERE name = ?",
					 lkh, NULL);
}

/**
 * Run statements that take a group's id as their only parameter, in one
 * transaction (nothing to do if the group does not exist)
 */
static bool run_for_group(private_mike_db_t *this, char *group,
						  const char **sql, int count, char *what)
{
	sqlite3_stmt *stmt;
	int64_t gid;
	bool ok;
	int i;

	if (!tx_begin(this))
	{
		return FALSE;
	}
	ok = group_id(this, group, FALSE, &gid);
	for (i = 0; ok && gid && i < count; i++)
	{
		stmt = prepare(this, sql[i]);
		if (!stmt || !bind_int(stmt, 1, gid))
		{
			release(this, stmt);
			ok = FALSE;
			break;
		}
		ok = step_done(this, stmt, what);
	}
	return tx_end(this, ok);
}

METHOD(mike_db_t, put_lkh_nodes, bool,
	private_mike_db_t *this, char *group, enumerator_t *nodes,
	uint32_t next_id, uint32_t next_num)
{
	sqlite3_stmt *stmt = NULL;
	mike_lkh_node_t *node;
	int64_t gid;
	bool ok;

	if (!tx_begin(this))
	{
		return FALSE;
	}
	ok = group_id(this, group, TRUE, &gid);
	if (ok)
	{
		stmt = prepare(this, "UPDATE groups SET lkh_next_id = ?, "
					   "lkh_next_num = ? WHERE id = ?");
		ok = step_bound(this, stmt, stmt && bind_int(stmt, 1, next_id) &&
						bind_int(stmt, 2, next_num) && bind_int(stmt, 3, gid),
						"storing the LKH counters");
		/* released by step_bound() */
		stmt = NULL;
	}
	if (ok)
	{
		/* one statement for all nodes, reset between them */
		stmt = prepare(this, "INSERT OR REPLACE INTO lkh_nodes (group_id, "
					   "num, parent, side, key_id, key, member) "
					   "VALUES (?, ?, ?, ?, ?, ?, ?)");
		ok = stmt != NULL;
	}
	while (ok && nodes->enumerate(nodes, &node))
	{
		ok = sqlite3_reset(stmt) == SQLITE_OK &&
			 bind_int(stmt, 1, gid) && bind_int(stmt, 2, node->num) &&
			 bind_int(stmt, 3, node->parent) && bind_int(stmt, 4, node->side) &&
			 bind_int(stmt, 5, node->id) && bind_chunk(stmt, 6, node->key) &&
			 (node->is_member ? bind_int(stmt, 7, node->member)
							  : sqlite3_bind_null(stmt, 7) == SQLITE_OK);
		if (ok && sqlite3_step(stmt) != SQLITE_DONE)
		{
			log_error(this, "storing an LKH node");
			ok = FALSE;
		}
	}
	release(this, stmt);
	return tx_end(this, ok);
}

METHOD(mike_db_t, clear_lkh_nodes, bool,
	private_mike_db_t *this, char *group)
{
	static const char *sql[] = {
		"DELETE FROM lkh_nodes WHERE group_id = ?",
		"UPDATE groups SET lkh_next_id = NULL, lkh_next_num = NULL "
			"WHERE id = ?",
	};
	return run_for_group(this, group, sql, countof(sql),
						 "clearing an LKH tree");
}

/*
 * Described in header
 */
void mike_db_lkh_node_destroy(mike_lkh_node_t *node)
{
	if (node)
	{	/* the key is allocated with the node */
		memwipe(node->key.ptr, node->key.len);
		free(node);
	}
}

/**
 * The LKH counters of a group, FALSE on failure; *found is FALSE if it has
 * no tree in lkh_nodes
 */
static bool get_lkh_counters(private_mike_db_t *this, char *group,
							 uint32_t *next_id, uint32_t *next_num,
							 bool *found)
{
	sqlite3_stmt *stmt;
	int64_t id, num;
	int rc;
	bool ok = TRUE;

	*found = FALSE;
	stmt = prepare(this, "SELECT lkh_next_id, lkh_next_num FROM groups "
				   "WHERE name = ?");
	if (!stmt || !bind_text(stmt, 1, group))
	{
		release(this, stmt);
		return FALSE;
	}
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW && sqlite3_column_type(stmt, 0) != SQLITE_NULL)
	{
		ok = column_int(stmt, 0, 1, UINT32_MAX, &id) &&
			 column_int(stmt, 1, 1, UINT32_MAX, &num);
		if (ok)
		{
			*next_id = id;
			*next_num = num;
			*found = TRUE;
		}
		else
		{
			DBG1(DBG_CFG, "mike: database %s: invalid LKH counters of group "
				 "'%s'", this->path, group);
		}
	}
	else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
	{
		log_error(this, "loading the LKH counters");
		ok = FALSE;
	}
	release(this, stmt);
	return ok;
}

METHOD(mike_db_t, load_lkh_nodes, linked_list_t*,
	private_mike_db_t *this, char *group, uint32_t *next_id,
	uint32_t *next_num)
{
	sqlite3_stmt *stmt;
	linked_list_t *list;
	mike_lkh_node_t *node;
	chunk_t key;
	int64_t num, parent, side, key_id, member = 0;
	bool found;
	int rc;

	*next_id = *next_num = 0;
	if (!get_lkh_counters(this, group, next_id, next_num, &found))
	{
		return NULL;
	}
	list = linked_list_create();
	if (!found)
	{
		return list;
	}
	stmt = prepare(this, "SELECT n.num, n.parent, n.side, n.key_id, n.key, "
				"n.member FROM lkh_nodes n JOIN groups g ON n.group_id = g.id "
				"WHERE g.name = ? ORDER BY n.num");
	if (!stmt || !bind_text(stmt, 1, group))
	{
		release(this, stmt);
		list->destroy(list);
		return NULL;
	}
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
	{
		if (!column_int(stmt, 0, 1, UINT32_MAX, &num) ||
			!column_int(stmt, 1, 0, UINT32_MAX, &parent) ||
			!column_int(stmt, 2, 0, 1, &side) ||
			!column_int(stmt, 3, 0, UINT32_MAX, &key_id) ||
			(sqlite3_column_type(stmt, 5) != SQLITE_NULL &&
			 !column_int(stmt, 5, 0, UINT32_MAX, &member)))
		{
			DBG1(DBG_CFG, "mike: database %s: invalid LKH node of group '%s'",
				 this->path, group);
			break;
		}
		/* the key right behind the node, one allocation for both */
		key = column_chunk(stmt, 4);
		INIT_EXTRA(node, key.len,
			.num = num,
			.parent = parent,
			.side = side,
			.id = key_id,
			.is_member = sqlite3_column_type(stmt, 5) != SQLITE_NULL,
			.member = member,
		);
		if (key.len)
		{
			node->key = chunk_create((u_char*)(node + 1), key.len);
			memcpy(node->key.ptr, key.ptr, key.len);
		}
		list->insert_last(list, node);
	}
	return rows_done(this, stmt, rc, list, (void*)mike_db_lkh_node_destroy,
					 "loading LKH nodes");
}

METHOD(mike_db_t, set_signer, bool,
	private_mike_db_t *this, char *group, chunk_t spki)
{
	return set_blob(this, group, "UPDATE groups SET signer = ? WHERE id = ?",
					spki);
}

METHOD(mike_db_t, get_signer, bool,
	private_mike_db_t *this, char *group, chunk_t *spki)
{
	return get_blobs(this, group, "SELECT signer FROM groups WHERE name = ?",
					 spki, NULL);
}

METHOD(mike_db_t, set_expelled, bool,
	private_mike_db_t *this, char *group, chunk_t expelled)
{
	return set_blob(this, group, "UPDATE groups SET expelled = ? "
					"WHERE id = ?", expelled);
}

METHOD(mike_db_t, get_expelled, bool,
	private_mike_db_t *this, char *group, chunk_t *expelled)
{
	return get_blobs(this, group, "SELECT expelled FROM groups "
					 "WHERE name = ?", expelled, NULL);
}

METHOD(mike_db_t, put_tek, bool,
	private_mike_db_t *this, char *group, mike_tek_t *tek, time_t created)
{
	sqlite3_stmt *stmt = NULL;
	uint8_t buf[TEK_SPI_SIZE];
	int64_t gid;
	bool ok, fresh;

	htoun32(buf, tek->spi);
	if (!tx_begin(this))
	{
		return FALSE;
	}
	ok = group_id(this, group, TRUE, &gid) &&
		 insert_spi(this, gid, chunk_from_thing(buf), &fresh);
	if (ok)
	{
		stmt = prepare(this, "INSERT OR REPLACE INTO teks (group_id, spi, "
				"enc_alg, enc_keylen, int_alg, keymat, lifetime, created, "
				"sender_type, sender, source_family, source, source_port, "
				"sam_source, sam_key, sam_bootstrap) "
				"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
		ok = stmt && bind_int(stmt, 1, gid) && bind_int(stmt, 2, tek->spi) &&
			 bind_int(stmt, 3, tek->enc_alg) &&
			 bind_int(stmt, 4, tek->enc_keylen) &&
			 bind_int(stmt, 5, tek->int_alg) &&
			 bind_chunk(stmt, 6, tek->keymat) &&
			 bind_int(stmt, 7, tek->lifetime) &&
			 bind_int(stmt, 8, created);
	}
	if (ok && tek->sender)
	{
		ok = bind_int(stmt, 9, tek->sender->get_type(tek->sender)) &&
			 bind_chunk(stmt, 10, tek->sender->get_encoding(tek->sender));
	}
	if (ok && tek->source)
	{
		ok = bind_int(stmt, 11, tek->source->get_family(tek->source)) &&
			 bind_chunk(stmt, 12, tek->source->get_address(tek->source)) &&
			 bind_int(stmt, 13, tek->source->get_port(tek->source));
	}
	if (ok && tek->sam_key.len)
	{
		ok = bind_int(stmt, 14, tek->sam_source) &&
			 bind_chunk(stmt, 15, tek->sam_key);
	}
	if (ok && tek->sam_key.len && tek->sam_bootstrap.len)
	{
		ok = bind_chunk(stmt, 16, tek->sam_bootstrap);
	}
	if (ok)
	{
		ok = step_done(this, stmt, "storing a TEK");
	}
	else
	{
		release(this, stmt);
	}
	return tx_end(this, ok);
}

METHOD(mike_db_t, remove_tek, bool,
	private_mike_db_t *this, char *group, uint32_t spi)
{
	sqlite3_stmt *stmt;

	stmt = prepare(this, "DELETE FROM teks WHERE spi = ? AND group_id = "
						 "(SELECT id FROM groups WHERE name = ?)");
	if (!stmt || !bind_int(stmt, 1, spi) || !bind_text(stmt, 2, group))
	{
		release(this, stmt);
		return FALSE;
	}
	return step_done(this, stmt, "removing a TEK");
}

/*
 * Described in header
 */
void mike_db_tek_destroy(mike_db_tek_t *tek)
{
	if (tek)
	{
		DESTROY_IF(tek->tek);
		free(tek);
	}
}

/**
 * Restore a TEK from a row of load_teks()
 */
static mike_db_tek_t *tek_from_row(sqlite3_stmt *stmt)
{
	mike_db_tek_t *entry;
	mike_tek_t *tek;
	int64_t spi, enc_alg, enc_keylen, int_alg, lifetime, created, type;
	int64_t family, port, sam_source;
	chunk_t encoding;

	if (!column_int(stmt, 0, 0, UINT32_MAX, &spi) ||
		!column_int(stmt, 1, 0, UINT16_MAX, &enc_alg) ||
		!column_int(stmt, 2, 0, UINT16_MAX, &enc_keylen) ||
		!column_int(stmt, 3, 0, UINT16_MAX, &int_alg) ||
		!column_int(stmt, 5, 0, UINT32_MAX, &lifetime) ||
		!column_int(stmt, 6, INT64_MIN, INT64_MAX, &created))
	{
		return NULL;
	}
	/* mike_tek_create() checks the key size and clones the keymat */
	tek = mike_tek_create(spi, enc_alg, enc_keylen, int_alg,
						  column_chunk(stmt, 4), lifetime);
	if (!tek)
	{
		return NULL;
	}
	if (sqlite3_column_type(stmt, 7) != SQLITE_NULL)
	{
		encoding = column_chunk(stmt, 8);
		if (!column_int(stmt, 7, 0, UINT8_MAX, &type) || !encoding.len)
		{
			tek->destroy(tek);
			return NULL;
		}
		tek->sender = identification_create_from_encoding(type, encoding);
	}
	if (sqlite3_column_type(stmt, 9) != SQLITE_NULL)
	{
		if (!column_int(stmt, 9, 0, INT_MAX, &family) ||
			!column_int(stmt, 11, 0, UINT16_MAX, &port) ||
			!(tek->source = host_create_from_chunk(family,
									column_chunk(stmt, 10), port)))
		{
			tek->destroy(tek);
			return NULL;
		}
	}
	if (sqlite3_column_type(stmt, 12) != SQLITE_NULL)
	{
		encoding = column_chunk(stmt, 13);
		if (!column_int(stmt, 12, 1, UINT32_MAX, &sam_source) ||
			!encoding.len)
		{
			tek->destroy(tek);
			return NULL;
		}
		tek->sam_source = sam_source;
		tek->sam_key = chunk_clone(encoding);
		encoding = column_chunk(stmt, 14);
		if (encoding.len > MIKE_SAM_BOOTSTRAP_MAX)
		{
			tek->destroy(tek);
			return NULL;
		}
		tek->sam_bootstrap = chunk_clone(encoding);
	}
	INIT(entry,
		.tek = tek,
		.created = created,
	);
	return entry;
}

METHOD(mike_db_t, load_teks, linked_list_t*,
	private_mike_db_t *this, char *group)
{
	sqlite3_stmt *stmt;
	linked_list_t *list;
	mike_db_tek_t *tek;
	int rc;

	stmt = prepare(this, "SELECT t.spi, t.enc_alg, t.enc_keylen, t.int_alg, "
				"t.keymat, t.lifetime, t.created, t.sender_type, t.sender, "
				"t.source_family, t.source, t.source_port, t.sam_source, "
				"t.sam_key, t.sam_bootstrap FROM teks t "
				"JOIN groups g ON t.group_id = g.id WHERE g.name = ? "
				"ORDER BY t.created, t.spi");
	if (!stmt || !bind_text(stmt, 1, group))
	{
		release(this, stmt);
		return NULL;
	}
	list = linked_list_create();
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
	{
		tek = tek_from_row(stmt);
		if (!tek)
		{
			DBG1(DBG_CFG, "mike: database %s: invalid TEK of group '%s'",
				 this->path, group);
			break;
		}
		list->insert_last(list, tek);
	}
	return rows_done(this, stmt, rc, list, (void*)mike_db_tek_destroy,
					 "loading TEKs");
}

METHOD(mike_db_t, put_member, bool,
	private_mike_db_t *this, char *group, identification_t *id, bool sender,
	uint32_t tek_spi, uint32_t leaf)
{
	sqlite3_stmt *stmt;
	int64_t gid;
	bool ok;

	if (!tx_begin(this))
	{
		return FALSE;
	}
	ok = group_id(this, group, TRUE, &gid);
	if (ok)
	{
		stmt = prepare(this, "INSERT INTO members (group_id, id_type, id, "
				"sender, tek_spi, leaf) VALUES (?, ?, ?, ?, ?, ?) "
				"ON CONFLICT (group_id, id_type, id) DO UPDATE SET "
				"sender = excluded.sender, tek_spi = excluded.tek_spi, "
				"leaf = excluded.leaf");
		ok = stmt && bind_int(stmt, 1, gid) &&
			 bind_int(stmt, 2, id->get_type(id)) &&
			 bind_chunk(stmt, 3, id->get_encoding(id)) &&
			 bind_int(stmt, 4, sender ? 1 : 0) &&
			 bind_int(stmt, 5, tek_spi) && bind_int(stmt, 6, leaf);
		if (ok)
		{
			ok = step_done(this, stmt, "storing a member");
		}
		else
		{
			release(this, stmt);
		}
	}
	return tx_end(this, ok);
}

METHOD(mike_db_t, remove_member, bool,
	private_mike_db_t *this, char *group, identification_t *id)
{
	sqlite3_stmt *stmt;

	stmt = prepare(this, "DELETE FROM members WHERE id_type = ? AND id = ? "
				"AND group_id = (SELECT id FROM groups WHERE name = ?)");
	if (!stmt || !bind_int(stmt, 1, id->get_type(id)) ||
		!bind_chunk(stmt, 2, id->get_encoding(id)) ||
		!bind_text(stmt, 3, group))
	{
		release(this, stmt);
		return FALSE;
	}
	return step_done(this, stmt, "removing a member");
}

/*
 * Described in header
 */
void mike_db_member_destroy(mike_db_member_t *member)
{
	if (member)
	{
		DESTROY_IF(member->id);
		free(member);
	}
}

/**
 * Whether a group holds a quarter of all stored members or more: then
 * reading the whole table in its order (seq) is cheaper than finding its
 * rows through the index on identities and sorting them, which at 1M
 * members took seconds (a table lookup per row, the sort spilling to
 * temporary files).  Both counts read only that index.
 */
static bool holds_most_members(private_mike_db_t *this, char *group)
{
	sqlite3_stmt *stmt;
	int64_t own = 0, all = 0;

	stmt = prepare(this, "SELECT (SELECT count(*) FROM members WHERE "
				"group_id = (SELECT id FROM groups WHERE name = ?)), "
				"(SELECT count(*) FROM members)");
	if (stmt && bind_text(stmt, 1, group) &&
		sqlite3_step(stmt) == SQLITE_ROW)
	{
		own = sqlite3_column_int64(stmt, 0);
		all = sqlite3_column_int64(stmt, 1);
	}
	release(this, stmt);
	return own && own >= all / 4;
}

METHOD(mike_db_t, load_members, linked_list_t*,
	private_mike_db_t *this, char *group)
{
	sqlite3_stmt *stmt;
	linked_list_t *list;
	mike_db_member_t *member;
	int64_t type, sender, spi, leaf;
	chunk_t encoding;
	int rc;

	if (holds_most_members(this, group))
	{	/* "+" keeps the index out: the table in seq order, no sort */
		stmt = prepare(this, "SELECT m.id_type, m.id, m.sender, m.tek_spi, "
				"m.leaf FROM members m WHERE +m.group_id = "
				"(SELECT id FROM groups WHERE name = ?) ORDER BY m.seq");
	}
	else
	{
		stmt = prepare(this, "SELECT m.id_type, m.id, m.sender, m.tek_spi, "
				"m.leaf FROM members m JOIN groups g ON m.group_id = g.id "
				"WHERE g.name = ? ORDER BY m.seq");
	}
	if (!stmt || !bind_text(stmt, 1, group))
	{
		release(this, stmt);
		return NULL;
	}
	list = linked_list_create();
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
	{
		encoding = column_chunk(stmt, 1);
		if (!column_int(stmt, 0, 0, UINT8_MAX, &type) || !encoding.len ||
			!column_int(stmt, 2, 0, 1, &sender) ||
			!column_int(stmt, 3, 0, UINT32_MAX, &spi) ||
			!column_int(stmt, 4, 0, UINT32_MAX, &leaf))
		{
			DBG1(DBG_CFG, "mike: database %s: invalid member of group '%s'",
				 this->path, group);
			break;
		}
		INIT(member,
			.id = identification_create_from_encoding(type, encoding),
			.sender = sender,
			.tek_spi = spi,
			.leaf = leaf,
		);
		list->insert_last(list, member);
	}
	return rows_done(this, stmt, rc, list, (void*)mike_db_member_destroy,
					 "loading members");
}

METHOD(mike_db_t, has_group, bool,
	private_mike_db_t *this, char *group, bool *exists)
{
	int64_t gid;

	if (!group_id(this, group, FALSE, &gid))
	{
		return FALSE;
	}
	*exists = gid != 0;
	return TRUE;
}

METHOD(mike_db_t, clear_group, bool,
	private_mike_db_t *this, char *group)
{
	static const char *sql[] = {
		"DELETE FROM teks WHERE group_id = ?",
		"DELETE FROM members WHERE group_id = ?",
		"DELETE FROM lkh_nodes WHERE group_id = ?",
		"UPDATE groups SET kek_spi = NULL, kek_keymat = NULL, lkh = NULL, "
			"signer = NULL, expelled = NULL, lkh_next_id = NULL, "
			"lkh_next_num = NULL WHERE id = ?",
	};
	return run_for_group(this, group, sql, countof(sql), "clearing a group");
}

METHOD(mike_db_t, lock, void,
	private_mike_db_t *this)
{
	this->mutex->lock(this->mutex);
}

METHOD(mike_db_t, unlock, void,
	private_mike_db_t *this)
{
	this->mutex->unlock(this->mutex);
}

/**
 * Forget the row ID group_id() kept for a transaction
 */
static void forget_group(private_mike_db_t *this)
{
	free(this->tx_group);
	this->tx_group = NULL;
}

METHOD(mike_db_t, begin, bool,
	private_mike_db_t *this)
{
	this->mutex->lock(this->mutex);
	if (this->in_tx)
	{
		DBG1(DBG_CFG, "mike: database %s: transaction already open",
			 this->path);
		this->mutex->unlock(this->mutex);
		return FALSE;
	}
	if (!exec_sql(this, "BEGIN IMMEDIATE"))
	{
		this->mutex->unlock(this->mutex);
		return FALSE;
	}
	this->in_tx = TRUE;
	return TRUE;
}

METHOD(mike_db_t, commit, bool,
	private_mike_db_t *this)
{
	if (!this->in_tx)
	{
		return FALSE;
	}
	this->in_tx = FALSE;
	forget_group(this);
	/* tx_end() releases the lock tx_begin() would have taken */
	return tx_end(this, TRUE);
}

METHOD(mike_db_t, rollback, bool,
	private_mike_db_t *this)
{
	bool ok;

	if (!this->in_tx)
	{
		return FALSE;
	}
	this->in_tx = FALSE;
	forget_group(this);
	ok = exec_sql(this, "ROLLBACK");
	this->mutex->unlock(this->mutex);
	return ok;
}

METHOD(mike_db_t, destroy, void,
	private_mike_db_t *this)
{
	int i;

	if (this->in_tx)
	{
		exec_sql(this, "ROLLBACK");
	}
	forget_group(this);
	for (i = 0; i < this->stmt_count; i++)
	{
		sqlite3_finalize(this->stmts[i].stmt);
	}
	free(this->stmts);
	sqlite3_close_v2(this->db);
	this->mutex->destroy(this->mutex);
	free(this->path);
	free(this);
}

/**
 * Create the file with mode 0600, or tighten an existing one's
 */
static bool create_file(private_mike_db_t *this)
{
	struct stat st;
	int fd;

	fd = open(this->path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
	{
		DBG1(DBG_CFG, "mike: database %s: opening failed: %s", this->path,
			 strerror(errno));
		return FALSE;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
	{
		DBG1(DBG_CFG, "mike: database %s: not a regular file", this->path);
		close(fd);
		return FALSE;
	}
	if ((st.st_mode & 0077) && fchmod(fd, st.st_mode & 0700) != 0)
	{
		DBG1(DBG_CFG, "mike: database %s: restricting its mode failed: %s",
			 this->path, strerror(errno));
		close(fd);
		return FALSE;
	}
	close(fd);
	return TRUE;
}

/**
 * Check that the file is intact
 */
static bool check_integrity(private_mike_db_t *this)
{
	sqlite3_stmt *stmt;
	const char *result = NULL;
	bool ok;

	stmt = prepare(this, "PRAGMA quick_check");
	if (!stmt)
	{
		return FALSE;
	}
	ok = sqlite3_step(stmt) == SQLITE_ROW &&
		 (result = (const char*)sqlite3_column_text(stmt, 0)) &&
		 streq(result, "ok");
	if (!ok)
	{
		DBG1(DBG_CFG, "mike: database %s: integrity check failed: %s",
			 this->path, result ?: sqlite3_errmsg(this->db));
	}
	release(this, stmt);
	return ok;
}

/**
 * Set the journal mode to WAL
 */
static bool set_wal(private_mike_db_t *this)
{
	sqlite3_stmt *stmt;
	const char *mode;
	bool ok;

	stmt = prepare(this, "PRAGMA journal_mode = WAL");
	if (!stmt)
	{
		return FALSE;
	}
	ok = sqlite3_step(stmt) == SQLITE_ROW &&
		 (mode = (const char*)sqlite3_column_text(stmt, 0)) &&
		 strcaseeq(mode, "wal");
	if (!ok)
	{
		log_error(this, "switching to WAL mode");
	}
	release(this, stmt);
	return ok;
}

/**
 * Create the schema if the file has none, check its version otherwise
 */
static bool init_schema(private_mike_db_t *this)
{
	sqlite3_stmt *stmt;
	int64_t version = 0;
	bool ok = TRUE, exists;
	int i, rc;

	/* tx_end() below ends what tx_begin() started, lock included */
	if (!tx_begin(this))
	{
		return FALSE;
	}
	stmt = prepare(this, "SELECT 1 FROM sqlite_master WHERE type = 'table' "
						 "AND name = 'schema_version'");
	if (!stmt)
	{
		return tx_end(this, FALSE);
	}
	rc = sqlite3_step(stmt);
	release(this, stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
	{
		log_error(this, "reading the schema");
		return tx_end(this, FALSE);
	}
	exists = rc == SQLITE_ROW;
	if (exists)
	{
		stmt = prepare(this, "SELECT version FROM schema_version");
		ok = stmt && sqlite3_step(stmt) == SQLITE_ROW &&
			 column_int(stmt, 0, 0, INT_MAX, &version);
		release(this, stmt);
		if (ok && version >= 1 && version < MIKE_DB_SCHEMA_VERSION)
		{
			DBG1(DBG_CFG, "mike: database %s: converting schema version %lld "
				 "to %d", this->path, (long long)version,
				 MIKE_DB_SCHEMA_VERSION);
			for (i = 0; ok && version == 1 && i < countof(upgrade_1_to_2);
				 i++)
			{
				ok = exec_sql(this, upgrade_1_to_2[i]);
			}
			for (i = 0; ok && version <= 2 && i < countof(upgrade_2_to_3);
				 i++)
			{
				ok = exec_sql(this, upgrade_2_to_3[i]);
			}
			for (i = 0; ok && i < countof(upgrade_3_to_4); i++)
			{
				ok = exec_sql(this, upgrade_3_to_4[i]);
			}
			if (!ok)
			{
				DBG1(DBG_CFG, "mike: database %s: converting failed, the file "
					 "is unchanged", this->path);
			}
			return tx_end(this, ok);
		}
		if (!ok || version != MIKE_DB_SCHEMA_VERSION)
		{
			DBG1(DBG_CFG, "mike: database %s: unsupported schema version "
				 "%lld (expected %d)", this->path, (long long)version,
				 MIKE_DB_SCHEMA_VERSION);
			return tx_end(this, FALSE);
		}
		return tx_end(this, TRUE);
	}
	for (i = 0; ok && i < countof(schema); i++)
	{
		ok = exec_sql(this, schema[i]);
	}
	if (ok)
	{
		stmt = prepare(this, "INSERT INTO schema_version (version) VALUES (?)");
		ok = stmt && bind_int(stmt, 1, MIKE_DB_SCHEMA_VERSION);
		if (ok)
		{
			ok = step_done(this, stmt, "storing the schema version");
		}
		else
		{
			release(this, stmt);
		}
	}
	return tx_end(this, ok);
}

/*
 * Described in header
 */
mike_db_t *mike_db_create(char *path)
{
	private_mike_db_t *this;

	INIT(this,
		.public = {
			.reserve_message_ids = _reserve_message_ids,
			.get_next_message_id = _get_next_message_id,
			.set_next_message_id = _set_next_message_id,
			.claim_spi = _claim_spi,
			.load_spis = _load_spis,
			.set_kek = _set_kek,
			.get_kek = _get_kek,
			.put_tek = _put_tek,
			.remove_tek = _remove_tek,
			.load_teks = _load_teks,
			.put_member = _put_member,
			.remove_member = _remove_member,
			.load_members = _load_members,
			.set_lkh = _set_lkh,
			.get_lkh = _get_lkh,
			.put_lkh_nodes = _put_lkh_nodes,
			.clear_lkh_nodes = _clear_lkh_nodes,
			.load_lkh_nodes = _load_lkh_nodes,
			.set_signer = _set_signer,
			.get_signer = _get_signer,
			.set_expelled = _set_expelled,
			.get_expelled = _get_expelled,
			.has_group = _has_group,
			.clear_group = _clear_group,
			.lock = _lock,
			.unlock = _unlock,
			.begin = _begin,
			.commit = _commit,
			.rollback = _rollback,
			.destroy = _destroy,
		},
		.path = strdup(path),
		.mutex = mutex_create(MUTEX_TYPE_RECURSIVE),
	);

	if (!create_file(this))
	{
		destroy(this);
		return NULL;
	}
	if (sqlite3_open_v2(path, &this->db, SQLITE_OPEN_READWRITE |
						SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW,
						NULL) != SQLITE_OK)
	{
		log_error(this, "opening");
		destroy(this);
		return NULL;
	}
	sqlite3_extended_result_codes(this->db, 1);
	sqlite3_busy_timeout(this->db, BUSY_TIMEOUT);

	/* WAL with synchronous=FULL: a commit (e.g. of reserved Message IDs) is
	 * on disk when it returns; secure_delete overwrites removed keys */
	if (!set_wal(this) ||
		!exec_sql(this, "PRAGMA synchronous = FULL") ||
		!exec_sql(this, "PRAGMA secure_delete = ON") ||
		!exec_sql(this, "PRAGMA foreign_keys = ON") ||
		!check_integrity(this) ||
		!init_schema(this))
	{
		destroy(this);
		return NULL;
	}
	return &this->public;
}
