// Fuzz target: the setters and clearers of a create form, with arbitrary
// strings (any bytes, any length), Ids, Types and times, in any order.
//
// A setter either takes the value or raises InvalidArgument, NullArgument
// or NoAccess (anything else escapes and is a finding). Then the form is
// created: a valid form gives one successful response and a message that
// holds exactly what was set; an invalid one gives one failed response and
// stores nothing.

#include "fuzz/fuzz_input.h"
#include "impl/memory/memory_provider.h"
#include "messaging/batch/messaging_batch_manager.h"
#include "messaging/records/delivery_record.h"
#include "osid/vector_list.h"

#include <optional>

using namespace osid;
using osid_fuzz::FuzzInput;

namespace {

struct Expected {
    std::optional<std::string> subject, text, displayName, description;
    std::optional<Id> sender;
};

template <class F>
void attempt(F &&setter)
{
    try {
        setter();
    } catch (const InvalidArgument &) {
    } catch (const NullArgument &) {
    } catch (const NoAccess &) {
    }
}

Id anyId(FuzzInput &in) { return Id(in.string(16), in.string(16), in.string(16)); }

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    static const auto manager = impl::memory::makeMemoryMessagingManager();
    static const auto session = manager->getMessagingBatchManager()->getMessageBatchAdminSession();
    static const auto lookup = manager->getMessageLookupSession();

    FuzzInput in(data, size);
    auto forms = session->getMessageFormsForCreate(1, {messaging::records::deliveryRecordType()});
    auto form = forms->getNextMessageBatchForm();
    auto &delivery = messaging::records::deliveryFormRecord(*form);
    Expected expected;

    for (int step = 0; step < 32 && !in.empty(); ++step) {
        // Each setter records its value only if it returned normally.
        switch (in.below(14)) {
        case 0:
            attempt([&] {
                auto v = in.string();
                form->setSubjectLine(v);
                expected.subject = v;
            });
            break;
        case 1:
            attempt([&] {
                auto v = in.string();
                form->setText(v);
                expected.text = v;
            });
            break;
        case 2:
            attempt([&] {
                auto v = in.string();
                form->setDisplayName(v);
                expected.displayName = v;
            });
            break;
        case 3:
            attempt([&] {
                auto v = in.string();
                form->setDescription(v);
                expected.description = v;
            });
            break;
        case 4: attempt([&] { form->setGenusType(Type(in.string(8), in.string(8), in.string(8))); }); break;
        case 5:
            attempt([&] {
                auto v = anyId(in);
                delivery.setSender(v);
                expected.sender = v;
            });
            break;
        case 6: attempt([&] { delivery.setSentTime(DateTime::fromMicroseconds(in.int64())); }); break;
        case 7: attempt([&] { delivery.setReceivedTime(DateTime::fromMicroseconds(in.int64())); }); break;
        case 8:
            attempt([&] {
                std::vector<Id> recipients(in.below(4));
                for (auto &r : recipients)
                    r = anyId(in);
                delivery.setRecipients(recipients);
            });
            break;
        case 9:
            attempt([&] {
                form->clearSubjectLine();
                expected.subject.reset();
            });
            break;
        case 10:
            attempt([&] {
                form->clearText();
                expected.text.reset();
            });
            break;
        case 11:
            attempt([&] {
                delivery.clearSender();
                expected.sender.reset();
            });
            break;
        case 12: attempt([&] { delivery.setSendingAgent(anyId(in)); }); break;
        case 13: attempt([&] { form->setJournalComment(in.string()); }); break;
        }
    }

    const bool valid = form->isValid();
    VectorList<messaging::batch::MessageBatchFormList> list({form});
    auto responses = session->createMessages(list);
    std::vector<transaction::batch::CreateResponse> all;
    for (const auto &r : *responses)
        all.push_back(r);
    FUZZ_REQUIRE(all.size() == 1);
    FUZZ_REQUIRE(all[0].isSuccessful() == valid);
    if (valid) {
        auto message = lookup->getMessage(all[0].getCreatedId());
        FUZZ_REQUIRE(message->getSubjectLine().getText() == expected.subject.value_or(""));
        FUZZ_REQUIRE(message->getText().getText() == expected.text.value_or(""));
        FUZZ_REQUIRE(message->getDisplayName().getText() == expected.displayName.value_or(""));
        FUZZ_REQUIRE(message->getDescription().getText() == expected.description.value_or(""));
        if (expected.sender)
            FUZZ_REQUIRE(message->getSenderId() == *expected.sender);
        session->deleteAllMessages();
    }
    auto remaining = lookup->getMessages();
    FUZZ_REQUIRE(!remaining->hasNext());
    return 0;
}
