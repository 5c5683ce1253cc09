// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {ManagedPool} from "../../../contracts/ManagedPool.sol";
import {TreasuryVault} from "../../../contracts/TreasuryVault.sol";
import {VolatilityOracle} from "../../../contracts/oracles/VolatilityOracle.sol";
import {PerpMarket} from "../../../contracts/perp/PerpMarket.sol";
import {IPerpMarketState} from "../../../contracts/perp/interfaces/IPerpMarketState.sol";
import {ITreasuryVaultTypes} from "../../../contracts/interfaces/ITreasuryVaultTypes.sol";
import {AggregatorV3Interface} from "../../../contracts/interfaces/AggregatorV3Interface.sol";
import {MintableERC20} from "../../../contracts/test/MintableERC20.sol";
import {vm} from "./Vm.sol";

/// @notice The deployed system every suite starts from: real contracts wired as contracts/README.md says.
/// token0 = BASE (18 decimals), token1 = QUOTE (6 decimals), oracle price 2000 QUOTE per BASE (8 decimals), pool on
/// about [0.8, 1.25] x the price, 1,000 BASE + 2,000,000 QUOTE deposited by the owner, a PerpMarket on the same
/// price feed as the vault's hedge market. Roles are plain addresses (pranked): OWNER, KEEPER, GUARDIAN, REPORTER.
struct System {
    MintableERC20 token0;
    MintableERC20 token1;
    VolatilityOracle oracle;
    TreasuryVault vault;
    ManagedPool pool;
    PerpMarket market;
}

library Roles {
    address internal constant OWNER = address(0x0A11CE);
    address internal constant KEEPER = address(0x0B0B);
    address internal constant GUARDIAN = address(0x6A4D);
    address internal constant REPORTER = address(0x4E90);
    address internal constant STRANGER = address(0xBAD);
}

library Deploy {
    uint8 internal constant PRICE_DECIMALS = 8;
    int256 internal constant INITIAL_ANSWER = 2000e8;
    int256 internal constant INITIAL_VOLATILITY = 65_000_000; // 0.65, 8 decimals
    uint256 internal constant START_TIME = 1_700_000_000;

    // the policy the suites run under (TreasuryVault bounds in brackets)
    uint32 internal constant HEARTBEAT = 3600;
    uint32 internal constant TWAP_WINDOW = 600;
    uint16 internal constant MAX_TWAP_DEVIATION_BPS = 1000;
    uint16 internal constant MAX_SKEW_BPS = 200;
    uint24 internal constant MIN_FEE = 100;
    uint24 internal constant MAX_FEE = 30_000;
    uint32 internal constant MIN_WIDTH_BPS = 50;
    uint32 internal constant MAX_WIDTH_BPS = 200_000;
    uint32 internal constant MIN_INTERVAL = 600;
    uint16 internal constant MIN_BASE_SHARE = 500;
    uint16 internal constant MAX_BASE_SHARE = 9500;

    function policy(AggregatorV3Interface priceFeed, AggregatorV3Interface volFeed)
        internal
        pure
        returns (ITreasuryVaultTypes.PolicyParams memory)
    {
        return ITreasuryVaultTypes.PolicyParams({
            priceFeed: priceFeed,
            volatilityFeed: volFeed,
            heartbeat: HEARTBEAT,
            twapWindow: TWAP_WINDOW,
            maxTwapDeviationBps: MAX_TWAP_DEVIATION_BPS,
            maxSkewBps: MAX_SKEW_BPS,
            minFeePips: MIN_FEE,
            maxFeePips: MAX_FEE,
            minWidthBps: MIN_WIDTH_BPS,
            maxWidthBps: MAX_WIDTH_BPS,
            minRebalanceInterval: MIN_INTERVAL,
            minBaseShareBps: MIN_BASE_SHARE,
            maxBaseShareBps: MAX_BASE_SHARE
        });
    }

    /// @dev Oracle answer (8 decimals, QUOTE per BASE) to the pool's sqrt price: priceX128 = answer * 10^(6-18-8)
    /// in Q128.128 (the vault's formula), sqrtPriceX96 = sqrt(priceX128 * 2^64).
    function sqrtPriceOfAnswer(int256 answer) internal pure returns (uint160) {
        uint256 priceX128 = (uint256(answer) << 128) / 1e20;
        return uint160(Math.sqrt(priceX128 << 64));
    }

    function system() internal returns (System memory s) {
        vm.warp(START_TIME);
        s.token0 = new MintableERC20("Base", "BASE", 18);
        s.token1 = new MintableERC20("Quote", "QUOTE", 6);
        s.oracle = new VolatilityOracle(
            Roles.OWNER, Roles.REPORTER, PRICE_DECIMALS, 8, "BASE / QUOTE", "BASE / QUOTE annualised volatility"
        );
        vm.prank(Roles.REPORTER);
        s.oracle.update(INITIAL_ANSWER, INITIAL_VOLATILITY);
        s.vault = new TreasuryVault(Roles.OWNER);
        uint160 p = sqrtPriceOfAnswer(INITIAL_ANSWER);
        s.pool = new ManagedPool(
            address(s.token0), address(s.token1), address(s.vault), p, uint160(p * 9 / 10), uint160(p * 10 / 9), 3000
        );
        s.pool.increaseObservationCardinality(64);
        AggregatorV3Interface priceFeed = AggregatorV3Interface(address(s.oracle.priceFeed()));
        s.market = new PerpMarket(
            IPerpMarketState.MarketParams({
                quoteToken: s.token1,
                baseToken: address(s.token0),
                markFeed: priceFeed,
                indexFeed: AggregatorV3Interface(address(0)),
                heartbeat: HEARTBEAT,
                fundingInterval: 3600,
                fundingRateWad: 1e14,
                tradeFeePips: 500,
                initialMarginPips: 100_000,
                maintenanceMarginPips: 50_000,
                liquidationPenaltyPips: 10_000
            })
        );
        vm.startPrank(Roles.OWNER);
        s.vault.registerPool(
            address(s.pool), policy(priceFeed, AggregatorV3Interface(address(s.oracle.volatilityFeed())))
        );
        s.vault.setKeeper(Roles.KEEPER, true);
        s.vault.setGuardian(Roles.GUARDIAN, true);
        s.vault.setHedgePolicy(
            address(s.pool),
            ITreasuryVaultTypes.HedgePolicy({market: address(s.market), maxNotional: 1e12, minMarginRatioPips: 150_000})
        );
        s.token0.mint(Roles.OWNER, 1000e18);
        s.token1.mint(Roles.OWNER, 2_000_000e6);
        s.token0.approve(address(s.vault), type(uint256).max);
        s.token1.approve(address(s.vault), type(uint256).max);
        s.vault.deposit(address(s.pool), 1000e18, 2_000_000e6);
        vm.stopPrank();
        // the market pays winners from its own quote; the vault's hedge margin comes from a plain transfer
        s.token1.mint(address(s.market), 10_000_000e6);
        s.token1.mint(address(s.vault), 1_000_000e6);
        // past one TWAP window so that rebalance can read the TWAP; the oracle refreshed at the new time
        vm.warp(START_TIME + 3600);
        vm.prank(Roles.REPORTER);
        s.oracle.update(INITIAL_ANSWER, INITIAL_VOLATILITY);
    }
}
