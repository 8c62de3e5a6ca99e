// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ISettlementCoverage} from "../../../src/inference/interfaces/ISettlementCoverage.sol";
import {ReceiptLib} from "../../../src/inference/libraries/ReceiptLib.sol";
import {ModelId, PolicyId, SessionId} from "../../../src/types/Ids.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @notice A coverage with the shape of the compute insurance to come: each policy pays, per request, the
/// reasoning tokens above a strike at the charged reasoning price, times a co-insurance share, up to an aggregate
/// limit it tracks in storage. It can be told to refuse policies, to revert at settlement, or to offer more than the
/// cost.
contract MockCoverage is ISettlementCoverage {
    uint256 internal constant BPS = 10_000;

    /// @dev What settlement reads of a session's policy, in one slot.
    struct Cover {
        uint64 strikeTokens;
        uint16 coinsuranceBps;
        uint128 remaining;
    }

    IERC20 public immutable stablecoin;
    address public immutable ledger;
    mapping(uint256 policyId => address) public holderOf;
    mapping(uint256 policyId => Cover) public policies;
    mapping(uint256 sessionId => Cover) public covers;
    /// @dev How `coverGroup` fails: 0 it does not, `REVERT` it reverts, `SILENT` it returns no data.
    uint8 public failMode;
    uint8 internal constant REVERT = 1;
    uint8 internal constant SILENT = 2;
    uint256 public overOffer;

    error NotLedger();
    error PolicyRefused(uint256 policyId);
    error CoverFailed();

    constructor(IERC20 stablecoin_, address ledger_) {
        stablecoin = stablecoin_;
        ledger = ledger_;
        stablecoin_.approve(ledger_, type(uint256).max);
    }

    function setPolicy(uint256 policyId, address holder, uint64 strikeTokens, uint16 coinsuranceBps, uint128 limit)
        external
    {
        holderOf[policyId] = holder;
        policies[policyId] = Cover(strikeTokens, coinsuranceBps, limit);
    }

    /// @dev Sets the aggregate left for an already opened session.
    function setRemaining(uint256 sessionId, uint128 remaining) external {
        covers[sessionId].remaining = remaining;
    }

    function setRevertOnCover(bool value) external {
        failMode = value ? REVERT : 0;
    }

    function setSilentOnCover(bool value) external {
        failMode = value ? SILENT : 0;
    }

    function setOverOffer(uint256 value) external {
        overOffer = value;
    }

    function onSessionOpened(SessionId sessionId, address buyer, ModelId, PolicyId policyId) external {
        if (msg.sender != ledger) revert NotLedger();
        if (holderOf[PolicyId.unwrap(policyId)] != buyer) revert PolicyRefused(PolicyId.unwrap(policyId));
        covers[SessionId.unwrap(sessionId)] = policies[PolicyId.unwrap(policyId)];
    }

    function coverGroup(ModelId, SessionId sessionId, uint256 pricing, uint256[] calldata receipts, uint256 cost)
        external
        returns (uint256 covered)
    {
        if (msg.sender != ledger) revert NotLedger();
        uint8 mode = failMode;
        if (mode != 0) {
            if (mode == REVERT) revert CoverFailed();
            assembly ("memory-safe") {
                return(0, 0)
            }
        }
        Cover memory cover = covers[SessionId.unwrap(sessionId)];
        uint256 excessTokens;
        for (uint256 i; i < receipts.length; ++i) {
            uint256 reasoning = receipts[i] & ReceiptLib.TOKEN_MASK;
            if (reasoning > cover.strikeTokens) excessTokens += reasoning - cover.strikeTokens;
        }
        covered = excessTokens * (pricing & 0xffffffffffffffffffff) / 1e6 * cover.coinsuranceBps / BPS;
        if (covered > cost) covered = cost;
        if (covered > cover.remaining) covered = cover.remaining;
        covers[SessionId.unwrap(sessionId)].remaining = uint128(cover.remaining - covered);
        covered += overOffer;
    }
}
