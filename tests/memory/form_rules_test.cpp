// The memory provider's FormRules: limits a host sets in
// MemoryProviderOptions show up in the forms' Metadata and are enforced.
// (The conformance suite checks the Metadata rules for any provider.)

#include "support/provider_fixture.h"

using namespace osid;
using namespace osid::testing;

namespace {

std::shared_ptr<MessageBatchForm> deliveryForm(messaging::batch::MessageBatchAdminSession &s)
{
    return s.getMessageFormsForCreate(1, {deliveryRecordType()})->getNextMessageBatchForm();
}

} // namespace

TEST_SUITE("FormRules")
{
    TEST_CASE("a subject outside the provider's pattern raises InvalidArgument, and the Metadata states the pattern")
    {
        impl::memory::MemoryProviderOptions options;
        options.formRules.subjectPattern = "[A-Z][a-z ]*";
        auto manager = impl::memory::makeMemoryMessagingManager(options);
        auto session = manager->getMessagingBatchManager()->getMessageBatchAdminSession();
        auto form = session->getMessageFormsForCreate(1, {})->getNextMessageBatchForm();
        const auto metadata = form->getSubjectLineMetadata();
        REQUIRE(metadata.supportsStringMatchType(types::regexStringMatch()));
        CHECK(metadata.getStringExpression(types::regexStringMatch()) == "[A-Z][a-z ]*");
        CHECK_NOTHROW(form->setSubjectLine("Hello there"));
        CHECK_THROWS_WITH_AS(form->setSubjectLine("hello"),
                             "INVALID_ARGUMENT: subject line must match the pattern [A-Z][a-z ]*", InvalidArgument);
        CHECK_THROWS_AS(form->setSubjectLine("Hello!"), InvalidArgument);
    }

    TEST_CASE("more recipients than the Metadata allows raises InvalidArgument")
    {
        impl::memory::MemoryProviderOptions options;
        options.formRules.maximumRecipients = 2;
        auto manager = impl::memory::makeMemoryMessagingManager(options);
        auto session = manager->getMessagingBatchManager()->getMessageBatchAdminSession();
        auto form = deliveryForm(*session);
        auto &delivery = deliveryFormRecord(*form);
        CHECK(delivery.getRecipientsMetadata().isArray());
        CHECK(delivery.getRecipientsMetadata().getMaximumElements() == 2);
        CHECK_NOTHROW(delivery.setRecipients({resource("a"), resource("b")}));
        CHECK_THROWS_AS(delivery.setRecipients({resource("a"), resource("b"), resource("c")}), InvalidArgument);
    }
}
