import { describe, expect, it } from "vitest";
import { redact, redactorFor } from "../../provider/http/redact";

const SECRET = "fake-secret-7c1e9a";

describe("redact", () => {
  it.each<[string, string, string]>([
    ["an Authorization header line", "Authorization: Bearer eyJ0eXAi.abc.def", "Authorization: [REDACTED]"],
    ["an Authorization header in JSON", '{"authorization":"Bearer abc123"}', '{"authorization":"[REDACTED]"}'],
    ["any Authorization scheme, keeping what follows", "authorization=Basic dXNlcjpwYXNz, next", "authorization=[REDACTED], next"],
    ["a bearer token in prose", "sent Bearer eyJ0eXAi.abc-def_ghi to the API", "sent Bearer [REDACTED] to the API"],
    ["client_secret in a form body", "client_id=app&client_secret=s3cr3t%2Bvalue&grant_type=client_credentials", "client_id=app&client_secret=[REDACTED]&grant_type=client_credentials"],
    ["refresh_token in a form body", "grant_type=refresh_token&refresh_token=0.AAA-xyz", "grant_type=refresh_token&refresh_token=[REDACTED]"],
    ["access_token in a token response", '{"token_type":"Bearer","access_token":"eyJ.a.b","expires_in":3599}', '{"token_type":"Bearer","access_token":"[REDACTED]","expires_in":3599}'],
    ["camelCase secrets in JSON", '{"clientSecret":"abc","refreshToken":"def"}', '{"clientSecret":"[REDACTED]","refreshToken":"[REDACTED]"}'],
    ["a configured secret anywhere", `the app ${SECRET} was refused`, "the app [REDACTED] was refused"],
    ["prose about bearer tokens left alone", "The bearer token was not issued by this simulator", "The bearer token was not issued by this simulator"],
    ["a message with nothing secret", "400 800090: Subscription quantity cannot be decreased (code=800090)", "400 800090: Subscription quantity cannot be decreased (code=800090)"],
  ])("blanks %s", (_name, input, expected) => {
    expect(redact(input, [SECRET])).toBe(expected);
  });

  it("blanks the URL-encoded form of a configured secret", () => {
    expect(redact("secret=a%2Bb%2Fc%3Dd%20xyz", ["a+b/c=d xyz"])).toBe("secret=[REDACTED]");
  });

  it("ignores configured values too short to be credentials, which would shred every message", () => {
    expect(redactorFor(["x", undefined])("the token x expired")).toBe("the token x expired");
  });
});
