// What the SQLite provider's tests share: a temporary directory, a manager
// over a file, batch helpers, and raw access to the file for checks that
// must look past the provider.

#pragma once

#include "impl/sqlite/sqlite_provider.h"
#include "messaging/batch/messaging_batch_manager.h"
#include "messaging/records/delivery_record.h"
#include "osid/vector_list.h"
#include "transaction/transaction.h"

#include <sqlite3.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

namespace sqlite_test {

using namespace osid;

// A fresh directory under the system's temporary directory, removed with
// everything in it at the end of the test.
class TempDir {
public:
    TempDir()
    {
        std::string pattern = (std::filesystem::temp_directory_path() / "osid-sqlite-test-XXXXXX").string();
        if (mkdtemp(pattern.data()) == nullptr)
            throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    TempDir(const TempDir &) = delete;
    TempDir &operator=(const TempDir &) = delete;
    ~TempDir()
    {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }

    std::string file(const std::string &name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

inline std::shared_ptr<messaging::MessagingManager> openStore(const std::string &path, int busyTimeout = 10'000)
{
    impl::sqlite::SqliteProviderOptions options;
    options.path = path;
    options.busyTimeoutMilliseconds = busyTimeout;
    return impl::sqlite::makeSqliteMessagingManager(options);
}

inline Id person(const std::string &name) { return Id("test.example.org", "resource.Resource", name); }

// Creates `count` sent messages from `sender` with subjects
// "<prefix>-0".."<prefix>-(count-1)" in one createMessages call and returns
// their Ids, in order. Throws if any item fails.
inline std::vector<Id> createBatch(messaging::batch::MessageBatchAdminSession &session, const Id &sender,
                                   const std::string &prefix, int count, DateTime at = DateTime::fromMicroseconds(0))
{
    auto forms =
        session.getMessageFormsForCreate(static_cast<std::uint64_t>(count), {messaging::records::deliveryRecordType()});
    std::vector<std::shared_ptr<messaging::batch::MessageBatchForm>> filled;
    for (int i = 0; i < count; ++i) {
        auto form = forms->getNextMessageBatchForm();
        form->setSubjectLine(prefix + "-" + std::to_string(i));
        auto &delivery = messaging::records::deliveryFormRecord(*form);
        delivery.setSender(sender);
        delivery.setSentTime(at);
        delivery.setRecipients({person("reader")});
        filled.push_back(form);
    }
    VectorList<messaging::batch::MessageBatchFormList> list(std::move(filled));
    auto responses = session.createMessages(list);
    std::vector<Id> ids;
    for (const auto &r : *responses) {
        if (!r.isSuccessful())
            throw std::runtime_error("create failed: " + r.getErrorMessage().getText());
        ids.push_back(r.getCreatedId());
    }
    return ids;
}

// The file's bytes, to show that a refused file was not changed.
inline std::string fileBytes(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Raw SQLite access to a store file, past the provider.
class RawFile {
public:
    explicit RawFile(const std::string &path)
    {
        if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK)
            throw std::runtime_error("cannot open " + path);
        sqlite3_busy_timeout(db_, 10'000);
    }
    RawFile(const RawFile &) = delete;
    RawFile &operator=(const RawFile &) = delete;
    ~RawFile() { sqlite3_close(db_); }

    void execute(const std::string &sql)
    {
        char *error = nullptr;
        if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
            std::string message = error ? error : "?";
            sqlite3_free(error);
            throw std::runtime_error(message + " in " + sql);
        }
    }

    // The first column of the first row, as text ("" for no row).
    std::string text(const std::string &sql)
    {
        sqlite3_stmt *s = nullptr;
        if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK)
            throw std::runtime_error(std::string(sqlite3_errmsg(db_)) + " in " + sql);
        std::string out;
        if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0) != nullptr)
            out = reinterpret_cast<const char *>(sqlite3_column_text(s, 0));
        sqlite3_finalize(s);
        return out;
    }
    long long integer(const std::string &sql) { return std::stoll(text(sql)); }

    // Column `index` of every row, joined with "; ".
    std::string column(const std::string &sql, int index)
    {
        sqlite3_stmt *s = nullptr;
        if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK)
            throw std::runtime_error(std::string(sqlite3_errmsg(db_)) + " in " + sql);
        std::string out;
        while (sqlite3_step(s) == SQLITE_ROW)
            if (sqlite3_column_text(s, index) != nullptr)
                out += std::string(out.empty() ? "" : "; ") +
                       reinterpret_cast<const char *>(sqlite3_column_text(s, index));
        sqlite3_finalize(s);
        return out;
    }

private:
    sqlite3 *db_ = nullptr;
};

} // namespace sqlite_test
