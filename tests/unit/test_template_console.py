"""The console's hosting in template.yaml, which moto never deploys: a private bucket that only
the stack's CloudFront distribution reads (Origin Access Control), and the API's CORS origin."""

from __future__ import annotations

from tests.conftest import REPO_ROOT
from tests.iam import load_template

TEMPLATE = load_template(REPO_ROOT / "template.yaml")
RESOURCES = TEMPLATE["Resources"]


def _policy(text: str) -> dict[str, str]:
    directives = (part.strip().split(" ", 1) for part in text.split(";") if part.strip())
    return {name: value for name, value in directives}


def test_the_console_bucket_is_private():
    bucket = RESOURCES["ConsoleBucket"]
    assert bucket["Type"] == "AWS::S3::Bucket"
    properties = bucket["Properties"]
    assert set(properties["PublicAccessBlockConfiguration"].values()) == {True}
    assert len(properties["PublicAccessBlockConfiguration"]) == 4
    assert "WebsiteConfiguration" not in properties
    assert properties["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]


def test_only_the_stacks_distribution_reads_the_bucket():
    statements = RESOURCES["ConsoleBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    allows = [s for s in statements if s["Effect"] == "Allow"]
    assert allows == [
        {
            "Sid": "CloudFrontReadsTheConsole",
            "Effect": "Allow",
            "Principal": {"Service": "cloudfront.amazonaws.com"},
            "Action": "s3:GetObject",
            "Resource": {"Fn::Sub": "${ConsoleBucket.Arn}/*"},
            "Condition": {
                "StringEquals": {
                    "AWS:SourceArn": {
                        "Fn::Sub": "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}"
                        ":distribution/${ConsoleDistribution}"
                    }
                }
            },
        }
    ]


def test_the_distribution_signs_its_requests_to_the_bucket_and_serves_https_only():
    config = RESOURCES["ConsoleDistribution"]["Properties"]["DistributionConfig"]
    (origin,) = config["Origins"]
    assert origin["DomainName"] == {"Fn::GetAtt": ["ConsoleBucket", "RegionalDomainName"]}
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": ["ConsoleOriginAccessControl", "Id"]}
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}  # OAC, not the legacy OAI
    oac = RESOURCES["ConsoleOriginAccessControl"]["Properties"]["OriginAccessControlConfig"]
    assert (oac["OriginAccessControlOriginType"], oac["SigningBehavior"]) == ("s3", "always")
    behaviour = config["DefaultCacheBehavior"]
    assert behaviour["ViewerProtocolPolicy"] == "redirect-to-https"
    assert set(behaviour["AllowedMethods"]) == {"GET", "HEAD"}
    assert config["DefaultRootObject"] == "index.html"


def test_the_api_allows_the_consoles_origin_unless_another_is_named():
    cors = RESOURCES["HttpApi"]["Properties"]["CorsConfiguration"]
    assert cors["AllowOrigins"] == [
        {
            "Fn::If": [
                "HasCorsAllowOrigin",
                {"Ref": "CorsAllowOrigin"},
                {"Fn::Sub": "https://${ConsoleDistribution.DomainName}"},
            ]
        }
    ]
    assert TEMPLATE["Parameters"]["CorsAllowOrigin"]["Default"] == ""


def test_cloudfront_sends_the_policy_saring_serve_sends_plus_the_api():
    from saring.console import CONTENT_SECURITY_POLICY

    headers = RESOURCES["ConsoleResponseHeadersPolicy"]["Properties"][
        "ResponseHeadersPolicyConfig"
    ]["SecurityHeadersConfig"]
    deployed = _policy(headers["ContentSecurityPolicy"]["ContentSecurityPolicy"]["Fn::Sub"])
    local = _policy(CONTENT_SECURITY_POLICY)
    assert deployed.pop("connect-src") == (
        "'self' https://*.execute-api.${AWS::Region}.${AWS::URLSuffix}"
    )
    assert deployed == local
