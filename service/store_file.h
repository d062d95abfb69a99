// What the batch service's SQLite file must be before either store (message
// batches, job runs) touches it (not installed).
//
// The file is marked with kServiceApplicationId in its header. A file with
// another application_id, or without one but holding tables that are not the
// service's (message_batch*, job_run*), belongs to someone else: it is
// refused before anything in it changes.

#pragma once

#include "sqlite/connection.h"

#include <cstdint>
#include <string>

namespace osid::service {

// "OBAT": the application_id of an osid-batch store.
constexpr std::int64_t kServiceApplicationId = 0x4F424154;

// Errors: ConfigurationError (the file is not an osid-batch store; it was
//         not changed), OperationFailed (SQLite cannot read it).
void requireServiceStore(sqlite::Connection &db, const std::string &path);

// Marks the file as an osid-batch store; inside the caller's write.
void markServiceStore(sqlite::Connection &db);

// The SQLite name that opens `path` read-only (a "file:" URI with
// mode=ro), so that a missing file is an error instead of a new file.
std::string readOnlyUri(const std::string &path);

} // namespace osid::service
