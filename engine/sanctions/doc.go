// Package sanctions holds the sanctions lists as Vaksam reads them (S18):
// the entities of the EU consolidated financial sanctions list, the UN
// Security Council consolidated list and OpenSanctions' FollowTheMoney
// streams, in one model (Entity), whatever list they came from. The
// importers of the lists' formats (connectors/sanctions) produce it, and the
// name matcher reads it.
//
// An entity keeps the list's own id (the EU logicalId, the UN DATAID or
// reference number, the FtM id), so that a match can be checked against the
// list itself, and every name the list gives, with its weak aliases marked.
package sanctions
