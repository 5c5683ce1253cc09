// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IVolatilityOracle, IOracleFeed} from "../interfaces/IVolatilityOracle.sol";
import {OracleFeed} from "./OracleFeed.sol";

/// @title VolatilityOracle
/// @notice Owns two Chainlink-shaped feeds — a price feed and a volatility feed — and writes both in one `update`
/// from an authorised reporter. Consumers read the feeds (priceFeed(), volatilityFeed()) through
/// AggregatorV3Interface, so a real Chainlink feed can stand in for either.
/// @dev Units are the deployer's choice and are described by each feed's decimals() and description(); the keeper's
/// convention: price = quote per base in human units with `priceDecimals`, volatility = annualised sigma of ln(price)
/// with `volatilityDecimals` (e.g. 0.65 with 8 decimals = 65_000_000).
contract VolatilityOracle is IVolatilityOracle, Ownable2Step {
    /// @inheritdoc IVolatilityOracle
    IOracleFeed public immutable override priceFeed;
    /// @inheritdoc IVolatilityOracle
    IOracleFeed public immutable override volatilityFeed;
    /// @inheritdoc IVolatilityOracle
    address public override reporter;

    /// @param owner_ Owner (sets the reporter).
    /// @param reporter_ Initial reporter.
    /// @param priceDecimals Decimals of the price feed.
    /// @param volatilityDecimals Decimals of the volatility feed.
    /// @param priceDescription Description of the price feed (e.g. "BASE / QUOTE").
    /// @param volatilityDescription Description of the volatility feed (e.g. "BASE / QUOTE annualised volatility").
    constructor(
        address owner_,
        address reporter_,
        uint8 priceDecimals,
        uint8 volatilityDecimals,
        string memory priceDescription,
        string memory volatilityDescription
    ) Ownable(owner_) {
        if (reporter_ == address(0)) revert InvalidReporter();
        reporter = reporter_;
        priceFeed = new OracleFeed(priceDecimals, priceDescription);
        volatilityFeed = new OracleFeed(volatilityDecimals, volatilityDescription);
        emit ReporterSet(address(0), reporter_);
    }

    /// @inheritdoc IVolatilityOracle
    function setReporter(address newReporter) external override onlyOwner {
        if (newReporter == address(0)) revert InvalidReporter();
        emit ReporterSet(reporter, newReporter);
        reporter = newReporter;
    }

    /// @notice Disabled: an oracle without an owner could never replace a lost or compromised reporter.
    function renounceOwnership() public view override onlyOwner {
        revert RenounceOwnershipDisabled();
    }

    /// @inheritdoc IVolatilityOracle
    function update(int256 price, int256 volatility)
        external
        override
        returns (uint80 priceRoundId, uint80 volatilityRoundId)
    {
        if (msg.sender != reporter) revert NotReporter(msg.sender);
        if (price <= 0) revert NonPositiveAnswer(price);
        if (volatility <= 0) revert NonPositiveVolatility(volatility);
        if (price > type(int128).max) revert AnswerOutOfRange(price);
        if (volatility > type(int128).max) revert AnswerOutOfRange(volatility);
        uint64 ts = uint64(block.timestamp);
        priceRoundId = priceFeed.record(price, ts);
        volatilityRoundId = volatilityFeed.record(volatility, ts);
        emit Updated(priceRoundId, price, volatilityRoundId, volatility, ts);
    }
}
