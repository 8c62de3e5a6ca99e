// SPDX-License-Identifier: BUSL-1.1
pragma solidity ^0.8.24;

import {ModelId, PolicyId, SessionId} from "../../types/Ids.sol";

/// @title ISettlementCoverage
/// @notice The seam between InferenceLedger settlement and compute insurance (docs/receipts.md §7). A session opened
/// with a policy is insured: the coverage accepts or refuses the policy when the session opens, and at settlement
/// pays part of each insured group's cost, which the ledger routes like any charge while the session's budget pays
/// the rest. A claim needs no claim: it is final when the settlement transaction is.
interface ISettlementCoverage {
    /// @notice Called by the ledger when `buyer` opens session `sessionId` for `modelId` under `policyId`. Reverts to
    /// refuse the policy (not the buyer's, another model, expired, over capacity...), which reverts the open. The
    /// coverage keeps what it needs of the policy under `sessionId`: settlement names only the session.
    function onSessionOpened(SessionId sessionId, address buyer, ModelId modelId, PolicyId policyId) external;

    /// @notice Called by the ledger for each insured session group of a settling batch (before the session is
    /// charged). Returns the part of `cost` the coverage pays (the ledger caps it at `cost`); by the end of the
    /// settlement the ledger pulls the batch's covered total from the coverage (allowance in the stablecoin).
    /// @param pricing The pricing the group is charged at (per token kind, the lower of the batch's served pricing
    /// and the pricing in force), packed `input << 160 | output << 80 | reasoning`.
    /// @param receipts The group's receipts that settle now (docs/receipts.md §2; skipped ones excluded).
    /// @param cost What those receipts cost at `pricing`, rounded up once for the group.
    function coverGroup(
        ModelId modelId,
        SessionId sessionId,
        uint256 pricing,
        uint256[] calldata receipts,
        uint256 cost
    ) external returns (uint256 covered);
}
