"""newsqa inside LangChain: the retriever in an LCEL chain, the embedder as ``Embeddings``."""

from __future__ import annotations

from typing import Any

from langchain_core.documents import Document
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnablePassthrough
from langchain_core.vectorstores import InMemoryVectorStore

from newsqa.langchain import NewsQAEmbeddings, NewsQARetriever
from service.schemas import Filters
from tests.service.fake_llm import ScriptedChat

GRIPEN = "How many Gripen fighters does Kyiv plan to buy?"


def numbered(docs: list[Document]) -> str:
    return "\n\n".join(f"[{i + 1}] {d.page_content}" for i, d in enumerate(docs))


def test_retriever_documents_and_filters(seed_state: Any) -> None:
    docs = NewsQARetriever(state=seed_state, k=3).invoke(GRIPEN)
    assert len(docs) == 3 and any("150" in d.page_content for d in docs)
    for d in docs:
        meta = d.metadata
        text = seed_state.store.get_document(meta["doc_id"]).text
        assert text[meta["start"] : meta["end"]] == d.page_content
        assert meta["chunk_id"].startswith(meta["doc_id"]) and meta["source"]
    sources = {d.metadata["source"] for d in docs}
    one = sorted(sources)[0]
    only = NewsQARetriever(state=seed_state, k=3, filters=Filters(source=[one])).invoke(GRIPEN)
    assert only and {d.metadata["source"] for d in only} == {one}
    none = NewsQARetriever(state=seed_state, filters=Filters(source=["No Such Outlet"]))
    assert none.invoke(GRIPEN) == []


def test_lcel_chain_with_the_retriever(seed_state: Any) -> None:
    retriever = NewsQARetriever(state=seed_state, k=4)
    prompt = ChatPromptTemplate.from_messages(
        [("system", "Answer from the context only."), ("human", "{context}\n\nQ: {question}")]
    )

    def reply(messages: list[dict[str, Any]]) -> str:
        context = str(messages[-1]["content"])
        n = next(i + 1 for i, part in enumerate(context.split("\n\n[")) if "150" in part)
        return f"Up to 150 Gripen fighters [{n}]."

    model = ScriptedChat(reply=reply)
    chain = (
        {"context": retriever | numbered, "question": RunnablePassthrough()}
        | prompt
        | model
        | StrOutputParser()
    )
    answer = chain.invoke(GRIPEN)
    assert answer.startswith("Up to 150 Gripen fighters [")
    human = str(model.calls[-1]["messages"][-1]["content"])
    assert GRIPEN in human and "[1] " in human and "150" in human


def test_embeddings_in_a_langchain_vector_store(seed_state: Any) -> None:
    embeddings = NewsQAEmbeddings(seed_state.embedder)
    vector = embeddings.embed_query("fighter jets")
    assert len(vector) == seed_state.embedder.dimension
    assert abs(sum(x * x for x in vector) - 1.0) < 1e-3
    assert embeddings.embed_documents([]) == []
    store = InMemoryVectorStore(embeddings)
    store.add_texts(["Sweden builds fighter aircraft.", "Wheat prices rose in spring."])
    [best] = store.similarity_search("military jets", k=1)
    assert "fighter" in best.page_content
