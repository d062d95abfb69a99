#include "service/store_file.h"

#include <fmt/format.h>

namespace osid::service {

void requireServiceStore(sqlite::Connection &db, const std::string &path)
{
    const auto applicationId = db.queryInteger("PRAGMA application_id").value_or(0);
    if (applicationId == kServiceApplicationId)
        return;
    if (applicationId != 0)
        throw ConfigurationError(
            fmt::format("{} is not an osid-batch store (its application_id is {}, not {}); it was not changed", path,
                        applicationId, kServiceApplicationId));
    // No mark: a new file, or one of an earlier build, which holds only the
    // service's tables.
    const auto foreign = db.queryInteger(R"sql(
        SELECT count(*) FROM sqlite_master
        WHERE name NOT LIKE 'message\_batch%' ESCAPE '\' AND name NOT LIKE 'job\_run%' ESCAPE '\'
          AND name NOT LIKE 'sqlite\_%' ESCAPE '\')sql");
    if (foreign.value_or(0) > 0)
        throw ConfigurationError(fmt::format(
            "{} is not an osid-batch store (it holds tables of another application); it was not changed", path));
}

void markServiceStore(sqlite::Connection &db)
{
    db.execute(fmt::format("PRAGMA application_id = {}", kServiceApplicationId));
}

std::string readOnlyUri(const std::string &path)
{
    std::string uri = "file:";
    for (const unsigned char c : path) {
        if (c == '%' || c == '?' || c == '#' || c < 0x21 || c >= 0x7f)
            uri += fmt::format("%{:02X}", static_cast<unsigned>(c));
        else
            uri += static_cast<char>(c);
    }
    return uri + "?mode=ro";
}

} // namespace osid::service
