#include "osid/errors.h"
#include "osid/id.h"
#include "osid/vector_list.h"
#include "transaction/batch/alias_request.h"
#include "transaction/batch/alias_response.h"
#include "transaction/batch/create_response.h"
#include "transaction/batch/delete_response.h"
#include "transaction/batch/update_response.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using osid::ErrorCode;
using osid::Id;
using osid::VectorList;
using namespace osid::transaction::batch;

namespace {

Id form(const std::string &name) { return Id("example.org", "messaging.batch.MessageBatchForm", name); }
Id message(const std::string &name) { return Id("example.org", "messaging.Message", name); }
Id legacy(const std::string &name) { return Id("legacy.example.org", "mail.Message", name); }

} // namespace

TEST_SUITE("osid::transaction::batch responses")
{
    TEST_CASE("a successful CreateResponse gives the form and created Ids and no error")
    {
        const auto r = CreateResponse::success(form("f1"), message("m1"));
        CHECK(r.isSuccessful());
        CHECK(r.getFormId() == form("f1"));
        CHECK(r.getCreatedId() == message("m1"));
        CHECK_THROWS_AS(r.getErrorMessage(), osid::IllegalState);
        CHECK_THROWS_AS(r.getErrorCode(), osid::IllegalState);
    }

    TEST_CASE("a failed CreateResponse gives the form Id, code and message but no created Id")
    {
        const auto r = CreateResponse::failure(form("f2"), ErrorCode::InvalidArgument, "subject too long");
        CHECK_FALSE(r.isSuccessful());
        CHECK(r.getFormId() == form("f2"));
        CHECK_THROWS_AS(r.getCreatedId(), osid::IllegalState);
        CHECK(r.getErrorCode() == ErrorCode::InvalidArgument);
        CHECK(r.getErrorMessage().getText() == "subject too long");
    }

    TEST_CASE("a failure keeps whichever code and message it was given")
    {
        for (const ErrorCode code :
             {ErrorCode::NotFound, ErrorCode::AlreadyExists, ErrorCode::PermissionDenied, ErrorCode::OperationFailed,
              ErrorCode::IllegalState, ErrorCode::Unsupported, ErrorCode::NoAccess}) {
            const std::string text = "failed with " + std::string(osid::errorName(code));
            CAPTURE(text);
            CHECK(CreateResponse::failure(form("f"), code, text).getErrorCode() == code);
            CHECK(CreateResponse::failure(form("f"), code, text).getErrorMessage().getText() == text);
            CHECK(UpdateResponse::failure(form("f"), message("m"), code, text).getErrorCode() == code);
            CHECK(UpdateResponse::failure(form("f"), message("m"), code, text).getErrorMessage().getText() == text);
            CHECK(DeleteResponse::failure(message("m"), code, text).getErrorCode() == code);
            CHECK(DeleteResponse::failure(message("m"), code, text).getErrorMessage().getText() == text);
            CHECK(AliasResponse::failure(message("m"), legacy("l"), code, text).getErrorCode() == code);
            CHECK(AliasResponse::failure(message("m"), legacy("l"), code, text).getErrorMessage().getText() == text);
        }
    }

    TEST_CASE("a successful UpdateResponse gives the form and updated Ids and no error")
    {
        const auto r = UpdateResponse::success(form("f1"), message("m1"));
        CHECK(r.isSuccessful());
        CHECK(r.getFormId() == form("f1"));
        CHECK(r.getUpdatedId() == message("m1"));
        CHECK_THROWS_AS(r.getErrorMessage(), osid::IllegalState);
        CHECK_THROWS_AS(r.getErrorCode(), osid::IllegalState);
    }

    TEST_CASE("a failed UpdateResponse still names the object the form targets")
    {
        const auto r = UpdateResponse::failure(form("f2"), message("m2"), ErrorCode::NotFound, "no such message");
        CHECK_FALSE(r.isSuccessful());
        CHECK(r.getFormId() == form("f2"));
        CHECK(r.getUpdatedId() == message("m2"));
        CHECK(r.getErrorCode() == ErrorCode::NotFound);
        CHECK(r.getErrorMessage().getText() == "no such message");
    }

    TEST_CASE("a DeleteResponse names the deleted object whether or not it succeeded")
    {
        const auto ok = DeleteResponse::success(message("m1"));
        CHECK(ok.isSuccessful());
        CHECK(ok.getDeletedId() == message("m1"));
        CHECK_THROWS_AS(ok.getErrorMessage(), osid::IllegalState);
        CHECK_THROWS_AS(ok.getErrorCode(), osid::IllegalState);

        const auto failed = DeleteResponse::failure(message("m2"), ErrorCode::PermissionDenied, "not yours");
        CHECK_FALSE(failed.isSuccessful());
        CHECK(failed.getDeletedId() == message("m2"));
        CHECK(failed.getErrorCode() == ErrorCode::PermissionDenied);
        CHECK(failed.getErrorMessage().getText() == "not yours");
    }

    TEST_CASE("an AliasResponse echoes the reference and alias Ids whether or not it succeeded")
    {
        const auto ok = AliasResponse::success(message("m1"), legacy("l1"));
        CHECK(ok.isSuccessful());
        CHECK(ok.getReferenceId() == message("m1"));
        CHECK(ok.getAliasId() == legacy("l1"));
        CHECK_THROWS_AS(ok.getErrorMessage(), osid::IllegalState);
        CHECK_THROWS_AS(ok.getErrorCode(), osid::IllegalState);

        const auto failed =
            AliasResponse::failure(message("m2"), legacy("l2"), ErrorCode::AlreadyExists, "alias in use");
        CHECK_FALSE(failed.isSuccessful());
        CHECK(failed.getReferenceId() == message("m2"));
        CHECK(failed.getAliasId() == legacy("l2"));
        CHECK(failed.getErrorCode() == ErrorCode::AlreadyExists);
        CHECK(failed.getErrorMessage().getText() == "alias in use");
    }

    TEST_CASE("an AliasRequest keeps its Ids and is equal to a request with equal Ids")
    {
        const AliasRequest r(message("m1"), legacy("l1"));
        CHECK(r.getReferenceId() == message("m1"));
        CHECK(r.getAliasId() == legacy("l1"));

        CHECK(r == AliasRequest(message("m1"), legacy("l1")));
        CHECK(r == AliasRequest(Id("EXAMPLE.org", "Messaging.Message", "m1"),
                                Id("Legacy.Example.ORG", "mail.message", "l1")));
        CHECK(r != AliasRequest(message("m2"), legacy("l1")));
        CHECK(r != AliasRequest(message("m1"), legacy("l2")));
        CHECK(r != AliasRequest(message("M1"), legacy("l1")));
        CHECK(r != AliasRequest(legacy("l1"), message("m1")));
    }

    TEST_CASE("a CreateResponseList reads one or n responses in order")
    {
        VectorList<CreateResponseList> list({CreateResponse::success(form("f1"), message("m1")),
                                             CreateResponse::failure(form("f2"), ErrorCode::InvalidArgument, "bad"),
                                             CreateResponse::success(form("f3"), message("m3"))});
        CHECK(list.getNextCreateResponse().getFormId() == form("f1"));
        CHECK_THROWS_AS(list.getNextCreateResponses(3), osid::IllegalState);
        const auto rest = list.getNextCreateResponses(2);
        REQUIRE(rest.size() == 2);
        CHECK(rest[0].getFormId() == form("f2"));
        CHECK_FALSE(rest[0].isSuccessful());
        CHECK(rest[1].getFormId() == form("f3"));
        CHECK(rest[1].getCreatedId() == message("m3"));
        CHECK_FALSE(list.hasNext());
        CHECK_THROWS_AS(list.getNextCreateResponse(), osid::IllegalState);
    }

    TEST_CASE("an UpdateResponseList reads one or n responses in order")
    {
        VectorList<UpdateResponseList> list(
            {UpdateResponse::success(form("f1"), message("m1")),
             UpdateResponse::failure(form("f2"), message("m2"), ErrorCode::NotFound, "gone"),
             UpdateResponse::success(form("f3"), message("m3"))});
        CHECK_THROWS_AS(list.getNextUpdateResponses(4), osid::IllegalState);
        const auto first = list.getNextUpdateResponses(2);
        REQUIRE(first.size() == 2);
        CHECK(first[0].getFormId() == form("f1"));
        CHECK(first[1].getUpdatedId() == message("m2"));
        CHECK(first[1].getErrorCode() == ErrorCode::NotFound);
        CHECK(list.getNextUpdateResponse().getUpdatedId() == message("m3"));
        CHECK_THROWS_AS(list.getNextUpdateResponse(), osid::IllegalState);
        CHECK(list.getNextUpdateResponses(0).empty());
    }

    TEST_CASE("a DeleteResponseList reads one or n responses in order")
    {
        VectorList<DeleteResponseList> list({DeleteResponse::success(message("m1")),
                                             DeleteResponse::success(message("m2")),
                                             DeleteResponse::failure(message("m3"), ErrorCode::NotFound, "gone")});
        CHECK(list.getNextDeleteResponse().getDeletedId() == message("m1"));
        CHECK(list.getNextDeleteResponse().getDeletedId() == message("m2"));
        CHECK_THROWS_AS(list.getNextDeleteResponses(2), osid::IllegalState);
        const auto last = list.getNextDeleteResponses(1);
        REQUIRE(last.size() == 1);
        CHECK(last[0].getDeletedId() == message("m3"));
        CHECK(last[0].getErrorMessage().getText() == "gone");
        CHECK_THROWS_AS(list.getNextDeleteResponse(), osid::IllegalState);
    }

    TEST_CASE("an AliasRequestList reads one or n requests in order")
    {
        VectorList<AliasRequestList> list({AliasRequest(message("m1"), legacy("l1")),
                                           AliasRequest(message("m2"), legacy("l2")),
                                           AliasRequest(message("m3"), legacy("l3"))});
        CHECK(list.getNextAliasRequest() == AliasRequest(message("m1"), legacy("l1")));
        CHECK_THROWS_AS(list.getNextAliasRequests(3), osid::IllegalState);
        CHECK(list.getNextAliasRequests(2) == std::vector<AliasRequest>{AliasRequest(message("m2"), legacy("l2")),
                                                                        AliasRequest(message("m3"), legacy("l3"))});
        CHECK_THROWS_AS(list.getNextAliasRequest(), osid::IllegalState);
    }

    TEST_CASE("an AliasResponseList reads one or n responses in order")
    {
        VectorList<AliasResponseList> list(
            {AliasResponse::success(message("m1"), legacy("l1")),
             AliasResponse::failure(message("m2"), legacy("l2"), ErrorCode::AlreadyExists, "taken"),
             AliasResponse::success(message("m3"), legacy("l3"))});
        const auto firstTwo = list.getNextAliasResponses(2);
        REQUIRE(firstTwo.size() == 2);
        CHECK(firstTwo[0].getAliasId() == legacy("l1"));
        CHECK(firstTwo[0].isSuccessful());
        CHECK(firstTwo[1].getReferenceId() == message("m2"));
        CHECK(firstTwo[1].getErrorCode() == ErrorCode::AlreadyExists);
        CHECK_THROWS_AS(list.getNextAliasResponses(2), osid::IllegalState);
        CHECK(list.getNextAliasResponse().getAliasId() == legacy("l3"));
        CHECK_THROWS_AS(list.getNextAliasResponse(), osid::IllegalState);
    }

    TEST_CASE("range-for over a response list visits every response once")
    {
        std::vector<Id> forms;
        for (const auto &r : osid::makeList<CreateResponseList>(
                 {CreateResponse::success(form("f1"), message("m1")),
                  CreateResponse::failure(form("f2"), ErrorCode::OperationFailed, "backend down")}))
            forms.push_back(r.getFormId());
        CHECK(forms == std::vector<Id>{form("f1"), form("f2")});
    }
}
