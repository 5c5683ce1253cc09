// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {AggregatorV3Interface} from "../../../contracts/interfaces/AggregatorV3Interface.sol";
import {ITreasuryVaultTypes} from "../../../contracts/interfaces/ITreasuryVaultTypes.sol";
import {ITreasuryVaultErrors} from "../../../contracts/interfaces/ITreasuryVaultErrors.sol";
import {IManagedPoolErrors} from "../../../contracts/interfaces/IManagedPoolErrors.sol";
import {IVolatilityOracle, IOracleFeed} from "../../../contracts/interfaces/IVolatilityOracle.sol";
import {ManagedPool} from "../../../contracts/ManagedPool.sol";
import {TreasuryVault} from "../../../contracts/TreasuryVault.sol";
import {VolatilityOracle} from "../../../contracts/oracles/VolatilityOracle.sol";
import {PerpMarket} from "../../../contracts/perp/PerpMarket.sol";
import {MintableERC20} from "../../../contracts/test/MintableERC20.sol";
import {System, Roles, Deploy} from "../base/Fixture.sol";
import {vm} from "../base/Vm.sol";

/// @notice Calls every guarded function from an account that lacks its role (owner-only vault functions from the
/// keeper, guardian, reporter or a stranger; guardian functions from the keeper/reporter/stranger; keeper functions
/// from the owner/guardian/reporter/stranger; the pool's vault-only functions from everyone, the owner included; the
/// oracle's reporter/owner/oracle-only functions likewise). Each must revert with the role error and leave the
/// guarded state (roles, policy, owner, pause, pool state and balances, oracle rounds, hedge) byte-for-byte unchanged.
contract RoleHandler {
    TreasuryVault public immutable vault;
    ManagedPool public immutable pool;
    VolatilityOracle public immutable oracle;
    PerpMarket public immutable market;
    MintableERC20 public immutable token0;
    MintableERC20 public immutable token1;

    uint256 public roleViolations;
    string public firstRoleViolation;
    uint256 public wrongRoleCalls;

    uint256 private constant FUNCTIONS = 31;

    constructor(System memory s) {
        vault = s.vault;
        pool = s.pool;
        oracle = s.oracle;
        market = s.market;
        token0 = s.token0;
        token1 = s.token1;
    }

    /// @notice Function number fn % 31 called by a caller lacking its role (callerSeed picks among them).
    function callWithoutRole(uint256 fn, uint256 callerSeed, uint256 arg) external {
        fn %= FUNCTIONS;
        (bytes memory data, address target, uint8 role) = _call(fn, arg);
        address caller = _wrongCaller(role, callerSeed);
        bytes32 before = stateHash();
        vm.prank(caller);
        (bool ok, bytes memory ret) = target.call(data);
        wrongRoleCalls++;
        if (ok) return _violation(fn, "succeeded without the role");
        if (stateHash() != before) return _violation(fn, "changed guarded state");
        if (!_expectedError(role, caller, ret)) _violation(fn, "reverted with another error than the role's");
    }

    // roles
    uint8 private constant OWNER = 0; // vault owner
    uint8 private constant GUARDIAN_OR_OWNER = 1;
    uint8 private constant KEEPER = 2;
    uint8 private constant VAULT = 3; // the pool's vault-only functions
    uint8 private constant REPORTER = 4;
    uint8 private constant ORACLE_OWNER = 5;
    uint8 private constant FEED_ORACLE = 6; // OracleFeed.record: the VolatilityOracle only

    function _call(uint256 fn, uint256 arg) private view returns (bytes memory d, address t, uint8 role) {
        address p = address(pool);
        address a = address(uint160(arg)) == address(0) ? Roles.STRANGER : address(uint160(arg));
        t = address(vault);
        role = OWNER;
        if (fn == 0) d = abi.encodeCall(TreasuryVault.setKeeper, (a, true));
        else if (fn == 1) d = abi.encodeCall(TreasuryVault.setGuardian, (a, true));
        else if (fn == 2) d = abi.encodeCall(TreasuryVault.setKeeper, (Roles.KEEPER, false));
        else if (fn == 3) d = abi.encodeCall(TreasuryVault.setMaxSkew, (p, uint16(arg % 2000 + 1)));
        else if (fn == 4) d = abi.encodeCall(TreasuryVault.setFeeBounds, (p, 0, uint24(arg % 100_000)));
        else if (fn == 5) d = abi.encodeCall(TreasuryVault.setWidthBounds, (p, 1, 10_000_000));
        else if (fn == 6) d = abi.encodeCall(TreasuryVault.setMinRebalanceInterval, (p, 0));
        else if (fn == 7) d = abi.encodeCall(TreasuryVault.setInventoryBounds, (p, 0, 10_000));
        else if (fn == 8) d = abi.encodeCall(TreasuryVault.setHeartbeat, (p, 7 days));
        else if (fn == 9) d = abi.encodeCall(TreasuryVault.setTwapWindow, (p, 10));
        else if (fn == 10) d = abi.encodeCall(TreasuryVault.setMaxTwapDeviation, (p, 2000));
        else if (fn == 11) {
            d = abi.encodeCall(
                TreasuryVault.setFeeds, (p, AggregatorV3Interface(address(oracle.priceFeed())), AggregatorV3Interface(address(0)))
            );
        } else if (fn == 12) d = abi.encodeCall(TreasuryVault.deposit, (p, 0, 0));
        else if (fn == 13) d = abi.encodeCall(TreasuryVault.withdraw, (p, 1, 1, a));
        else if (fn == 14) d = abi.encodeCall(TreasuryVault.unpause, ());
        else if (fn == 15) d = abi.encodeCall(Ownable.transferOwnership, (a));
        else if (fn == 16) {
            d = abi.encodeCall(
                TreasuryVault.setHedgePolicy,
                (p, ITreasuryVaultTypes.HedgePolicy({market: address(0), maxNotional: 0, minMarginRatioPips: 0}))
            );
        } else if (fn == 17) d = abi.encodeCall(TreasuryVault.closeHedge, (p));
        else if (fn == 18) d = abi.encodeCall(TreasuryVault.registerPool, (a, Deploy.policy(AggregatorV3Interface(a), AggregatorV3Interface(address(0)))));
        else if (fn == 19) (d, role) = (abi.encodeCall(TreasuryVault.pause, ()), GUARDIAN_OR_OWNER);
        else if (fn == 20) (d, role) = (abi.encodeCall(TreasuryVault.emergencyWithdraw, (p)), GUARDIAN_OR_OWNER);
        else if (fn == 21) {
            (uint160 s,,,,,,) = pool.slot0();
            d = abi.encodeCall(
                TreasuryVault.rebalance,
                (p, ITreasuryVaultTypes.Target({sqrtPriceX96: s, sqrtPriceBoundX96: s / 2, feePips: 3000, observationHint: type(uint16).max}))
            );
            role = KEEPER;
        } else if (fn == 22) (d, role) = (abi.encodeCall(TreasuryVault.adjustHedge, (p, int256(arg % 1e20), int256(arg % 1e9))), KEEPER);
        else if (fn == 30) d = abi.encodeCall(TreasuryVault.setAllowInventoryRecovery, (p, arg % 2 == 0));
        else {
            t = p;
            role = VAULT;
            if (fn == 23) {
                (uint160 s,,,,,,) = pool.slot0();
                d = abi.encodeCall(ManagedPool.reposition, (s, s / 2, 3000, 0, type(uint16).max));
            } else if (fn == 24) d = abi.encodeCall(ManagedPool.sync, ());
            else if (fn == 25) d = abi.encodeCall(ManagedPool.withdraw, (a, 1, 1));
            else if (fn == 26) d = abi.encodeCall(ManagedPool.emergencyWithdraw, (a));
            else if (fn == 27) d = abi.encodeCall(ManagedPool.setPaused, (arg % 2 == 0));
            else if (fn == 28) {
                (t, role) = (address(oracle), REPORTER);
                d = abi.encodeCall(VolatilityOracle.update, (int256(arg % 1e12 + 1), int256(arg % 1e8 + 1)));
            } else {
                if (arg % 2 == 0) {
                    (t, role) = (address(oracle), ORACLE_OWNER);
                    d = abi.encodeCall(VolatilityOracle.setReporter, (a));
                } else {
                    (t, role) = (address(oracle.priceFeed()), FEED_ORACLE);
                    d = abi.encodeCall(IOracleFeed.record, (int256(arg % 1e12 + 1), uint64(block.timestamp)));
                }
            }
        }
    }

    /// @dev An account without `role`.
    function _wrongCaller(uint8 role, uint256 seed) private view returns (address) {
        address[5] memory all = [Roles.OWNER, Roles.KEEPER, Roles.GUARDIAN, Roles.REPORTER, Roles.STRANGER];
        for (uint256 i; i < 5; ++i) {
            address c = all[(seed % 5 + i) % 5];
            if (!_has(role, c)) return c;
        }
        return Roles.STRANGER;
    }

    function _has(uint8 role, address c) private view returns (bool) {
        if (role == OWNER) return c == vault.owner();
        if (role == GUARDIAN_OR_OWNER) return c == vault.owner() || vault.isGuardian(c);
        if (role == KEEPER) return vault.isKeeper(c);
        if (role == VAULT) return c == address(vault);
        if (role == REPORTER) return c == oracle.reporter();
        if (role == ORACLE_OWNER) return c == oracle.owner();
        return c == address(oracle);
    }

    function _expectedError(uint8 role, address caller, bytes memory ret) private pure returns (bool) {
        bytes memory want;
        if (role == OWNER || role == ORACLE_OWNER) {
            want = abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, caller);
        } else if (role == GUARDIAN_OR_OWNER) {
            want = abi.encodeWithSelector(ITreasuryVaultErrors.NotGuardianOrOwner.selector, caller);
        } else if (role == KEEPER) {
            want = abi.encodeWithSelector(ITreasuryVaultErrors.NotKeeper.selector, caller);
        } else if (role == VAULT) {
            want = abi.encodeWithSelector(IManagedPoolErrors.NotVault.selector, caller);
        } else if (role == REPORTER) {
            want = abi.encodeWithSelector(IVolatilityOracle.NotReporter.selector, caller);
        } else {
            want = abi.encodeWithSelector(IOracleFeed.NotOracle.selector, caller);
        }
        return keccak256(ret) == keccak256(want);
    }

    /// @notice Everything a role guards, hashed.
    function stateHash() public view returns (bytes32) {
        return keccak256(abi.encode(_roleState(), _vaultState(), _poolState(), _oracleState()));
    }

    function _roleState() private view returns (bytes32) {
        address[5] memory all = [Roles.OWNER, Roles.KEEPER, Roles.GUARDIAN, Roles.REPORTER, Roles.STRANGER];
        bytes memory r;
        for (uint256 i; i < 5; ++i) {
            r = abi.encodePacked(r, vault.isKeeper(all[i]), vault.isGuardian(all[i]));
        }
        return keccak256(abi.encode(r, vault.owner(), vault.pendingOwner(), vault.paused(), vault.pools().length));
    }

    function _vaultState() private view returns (bytes32) {
        address p = address(pool);
        return keccak256(
            abi.encode(
                vault.policyOf(p), vault.hedgePolicyOf(p), market.accountOf(address(vault)), token1.balanceOf(address(vault))
            )
        );
    }

    function _poolState() private view returns (bytes32) {
        address p = address(pool);
        return keccak256(
            abi.encode(
                pool.getState(),
                token0.balanceOf(p),
                token1.balanceOf(p),
                token0.balanceOf(Roles.OWNER),
                token1.balanceOf(Roles.OWNER)
            )
        );
    }

    function _oracleState() private view returns (bytes32) {
        (uint80 rid, int256 ans,, uint256 upd,) = AggregatorV3Interface(address(oracle.priceFeed())).latestRoundData();
        (uint80 vrid, int256 vans,,,) = AggregatorV3Interface(address(oracle.volatilityFeed())).latestRoundData();
        return keccak256(abi.encode(rid, ans, upd, vrid, vans, oracle.reporter(), oracle.owner()));
    }

    function _violation(uint256 fn, string memory what) private {
        roleViolations++;
        if (bytes(firstRoleViolation).length == 0) {
            firstRoleViolation = string.concat("function #", _u(fn), ": ", what);
        }
    }

    function _u(uint256 v) private pure returns (string memory) {
        if (v < 10) return string(abi.encodePacked(bytes1(uint8(48 + v))));
        return string(abi.encodePacked(bytes1(uint8(48 + v / 10)), bytes1(uint8(48 + v % 10))));
    }
}
