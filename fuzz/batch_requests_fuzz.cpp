// Fuzz target: a message batch file (JSON Lines) as osid-batch submit reads
// it, then the batch's envelope checks and each request's params.
//
// Reading either gives requests or raises one ServiceError
// (invalid_request_error) with a problem per bad line. create() accepts the
// requests exactly when their custom_ids are well formed and unique and
// there are 1 to kMaxRequests of them; otherwise it raises ServiceError
// listing problems and saves nothing. Filling a form from any params either
// works or raises JsonShapeError naming the field: no other exception, no
// crash, whatever the JSON holds.

#include "fuzz/fuzz_input.h"
#include "impl/memory/memory_provider.h"
#include "messaging/batch/messaging_batch_manager.h"
#include "service/message_batches.h"
#include "service/osid_json.h"

#include <cctype>
#include <set>
#include <sstream>

using namespace osid;
using namespace osid::service;

namespace {

constexpr std::size_t kMaxRequests = 8;

bool wellFormed(const std::string &id)
{
    if (id.empty() || id.size() > 64)
        return false;
    for (unsigned char c : id)
        if (!std::isalnum(c) && c != '_' && c != '-')
            return false;
    return true;
}

bool acceptable(const std::vector<MessageBatchRequest> &requests)
{
    if (requests.empty() || requests.size() > kMaxRequests)
        return false;
    std::set<std::string> seen;
    for (const auto &r : requests)
        if (!wellFormed(r.customId) || !seen.insert(r.customId).second)
            return false;
    return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    // Fresh per input, so that nothing an input leaves behind (forms handed
    // out, batches saved) slows the next one.
    const auto manager = impl::memory::makeMemoryMessagingManager();
    const auto session = manager->getMessagingBatchManager()->getMessageBatchAdminSession();

    std::istringstream in(std::string(reinterpret_cast<const char *>(data), size));
    std::vector<MessageBatchRequest> requests;
    try {
        requests = readRequestsJsonLines(in);
    } catch (const ServiceError &e) {
        FUZZ_REQUIRE(e.type() == error_type::kInvalidRequest);
        FUZZ_REQUIRE(!e.problems().empty());
        return 0;
    }

    // A fresh in-memory store without workers: only the envelope is checked.
    MessageBatchOptions options;
    options.process = false;
    options.maxRequests = kMaxRequests;
    MessageBatchService service(manager, options);
    bool created = false;
    try {
        const auto batch = service.create(requests);
        FUZZ_REQUIRE(batch.requestCounts.processing == requests.size());
        FUZZ_REQUIRE(service.retrieve(batch.id).id == batch.id);
        created = true;
    } catch (const ServiceError &e) {
        FUZZ_REQUIRE(e.type() == error_type::kInvalidRequest);
        FUZZ_REQUIRE(!e.problems().empty());
        FUZZ_REQUIRE(service.list().data.empty());
    }
    FUZZ_REQUIRE(created == acceptable(requests));

    for (const auto &request : requests) {
        try {
            auto forms = session->getMessageFormsForCreate(1, messageRecordTypes(request.params, "params"));
            auto form = forms->getNextMessageBatchForm();
            fillMessageForm(*form, request.params, "params");
        } catch (const JsonShapeError &e) {
            FUZZ_REQUIRE(std::string(e.what()).rfind("params", 0) == 0);
        }
    }
    return 0;
}
