#include "service/batch_store.h"

#include "service/batch_json.h"
#include "service/sqlite_batch_store.h"
#ifdef OSID_CPP_HAVE_POSTGRES
#include "service/postgres_batch_store.h"
#endif

#include <fmt/format.h>

#include <openssl/evp.h>

#include <algorithm>

namespace osid::service {

// ---------------------------------------------------------------------------
// RequestDigest

struct RequestDigest::Context {
    EVP_MD_CTX *md;
};

RequestDigest::RequestDigest() : context_(new Context{EVP_MD_CTX_new()})
{
    if (context_->md == nullptr || EVP_DigestInit_ex(context_->md, EVP_sha256(), nullptr) != 1) {
        EVP_MD_CTX_free(context_->md);
        delete context_;
        throw OperationFailed("cannot start a SHA-256 digest");
    }
}

RequestDigest::~RequestDigest()
{
    EVP_MD_CTX_free(context_->md);
    delete context_;
}

void RequestDigest::add(const std::string &customId, const std::string &params)
{
    // custom_id holds no NUL and params no newline outside strings.
    const std::string separators("\0\n", 2);
    EVP_DigestUpdate(context_->md, customId.data(), customId.size());
    EVP_DigestUpdate(context_->md, separators.data(), 1);
    EVP_DigestUpdate(context_->md, params.data(), params.size());
    EVP_DigestUpdate(context_->md, separators.data() + 1, 1);
}

std::string RequestDigest::finish()
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (EVP_DigestFinal_ex(context_->md, digest, &size) != 1)
        throw OperationFailed("cannot finish a SHA-256 digest");
    std::string out;
    for (unsigned int i = 0; i < size; ++i)
        out += fmt::format("{:02x}", digest[i]);
    return out;
}

// ---------------------------------------------------------------------------
// What every store shares

ClaimPlan planClaim(const ClaimableBatch &batch, std::size_t chunkSize, DateTime now)
{
    ClaimPlan plan;
    const bool closing = batch.status == ProcessingStatus::Canceling || now >= batch.expiresAt;
    plan.closeAs = batch.status == ProcessingStatus::Canceling ? RequestState::Canceled : RequestState::Expired;
    if (batch.claimed < batch.requestCount && closing && batch.claimed >= batch.attempted) {
        plan.action = ClaimPlan::Close;
        plan.from = batch.claimed;
        return plan;
    }
    if (batch.claimed < batch.requestCount) {
        // Closing, requests that may have been sent are only looked up:
        // found, they succeeded; missing, they close.
        plan.action = ClaimPlan::Chunk;
        plan.from = batch.claimed;
        plan.to = std::min(closing ? batch.attempted : batch.requestCount,
                           batch.claimed + static_cast<std::int64_t>(chunkSize));
        plan.recover = batch.claimed < batch.attempted;
        plan.create = !closing;
        return plan;
    }
    plan.action = batch.busy ? ClaimPlan::Wait : ClaimPlan::End;
    return plan;
}

std::unique_ptr<BatchStore::ChunkHold> BatchStore::holdChunk(const ChunkClaim &)
{
    return std::make_unique<ChunkHold>();
}

MessageBatchResult storedResult(std::int64_t key, std::int64_t index, std::string customId, RequestState state,
                                std::string_view result)
{
    MessageBatchResult r;
    r.customId = std::move(customId);
    const auto *entry = resultTypeEntry(state);
    if (entry == nullptr)
        throw OperationFailed(
            fmt::format("request {} of batch {} is finished in state {}", index, key, static_cast<int>(state)));
    r.type = entry->type;
    if (state == RequestState::Succeeded) {
        r.message = nlohmann::json::parse(result);
    } else if (state == RequestState::Errored) {
        auto error = nlohmann::json::parse(result);
        r.errorType = error.value("type", error_type::kApi);
        r.errorMessage = error.value("message", "");
        // Results saved before these two were kept: derived from the type.
        r.retryable = error.value("retryable", isRetryable(r.errorType));
        r.osidError =
            error.value("osid_error",
                        std::string(errorName(r.retryable ? ErrorCode::OperationFailed : ErrorCode::InvalidArgument)));
    }
    return r;
}

bool storedRetryable(std::string_view result)
{
    const auto error = nlohmann::json::parse(result);
    return error.value("retryable", isRetryable(error.value("type", error_type::kApi)));
}

BatchStore::Inserted BatchStore::insert(const MessageBatch &batch, const std::vector<MessageBatchRequest> &requests,
                                        const std::string &provider, const std::string &idempotencyKey)
{
    std::size_t next = 0;
    return insertStreaming(batch, provider, idempotencyKey, [&](std::string &customId, std::string &paramsText) {
        if (next == requests.size())
            return false;
        customId = requests[next].customId;
        paramsText = requests[next].params.dump();
        ++next;
        return true;
    });
}

std::vector<std::pair<std::int64_t, MessageBatchResult>> BatchStore::mergedResults(
    const std::vector<std::int64_t> &chain, std::int64_t afterIndex, std::size_t limit)
{
    auto out = results(chain.back(), afterIndex, limit);
    for (auto &[index, result] : out) {
        // The newest attempt: the first batch of the chain that finished it.
        for (std::size_t i = 0; i + 1 < chain.size(); ++i) {
            if (auto newer = finishedResult(chain[i], result.customId)) {
                result = std::move(*newer);
                break;
            }
        }
    }
    return out;
}

// ---------------------------------------------------------------------------
// Which store

namespace {

constexpr std::string_view kPostgresPrefix = "postgres:";

// The libpq connection string: "postgres://..." starts with "postgres:"
// too, and is a URI as a whole.
[[maybe_unused]] std::string postgresConninfo(const std::string &location)
{
    if (location.starts_with("postgresql://") || location.starts_with("postgres://"))
        return location;
    return location.substr(kPostgresPrefix.size());
}

} // namespace

std::string webhookId(const std::string &batchId, std::int64_t round) { return fmt::format("{}-{}", batchId, round); }

bool isPostgresStorePath(const std::string &location)
{
    return location.starts_with("postgresql://") || location.starts_with(kPostgresPrefix);
}

std::string storePathForDisplay(const std::string &location)
{
    if (!isPostgresStorePath(location))
        return location;
#ifdef OSID_CPP_HAVE_POSTGRES
    return postgresDisplayName(postgresConninfo(location));
#else
    return "a PostgreSQL database";
#endif
}

std::shared_ptr<BatchStore> openBatchStore(const std::string &location, bool readOnly,
                                           std::chrono::milliseconds busyTimeout)
{
    if (!isPostgresStorePath(location))
        return std::make_shared<SqliteBatchStore>(location, readOnly, busyTimeout);
#ifdef OSID_CPP_HAVE_POSTGRES
    return std::make_shared<PostgresBatchStore>(postgresConninfo(location), readOnly, busyTimeout);
#else
    throw ConfigurationError("this build of osid-batch has no PostgreSQL store (it was built without libpq)");
#endif
}

} // namespace osid::service
